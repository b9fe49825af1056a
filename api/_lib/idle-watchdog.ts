/**
 * Fires when we are waiting on the upstream and no byte has arrived for `timeoutMs`.
 * SDK timeouts stop at the response headers, so a stalled body would otherwise hang
 * until the platform kills the function. It only counts while armed: time spent
 * waiting on a slow client (backpressure) is not the upstream's fault.
 */
export interface IdleWatchdog {
  /** Starts counting (we are now waiting on the upstream). */
  arm(): void;
  /** Stops counting (we got what we waited for). */
  disarm(): void;
  /** Stops for good. */
  stop(): void;
  /** A pass-through byte stream that restarts the countdown on every chunk (and reports its size). */
  stream(onBytes?: (n: number) => void): TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>;
}

export function createIdleWatchdog(timeoutMs: number, onIdle: () => void): IdleWatchdog {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let armed = false;
  let stopped = false;
  const clear = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const start = (): void => {
    clear();
    if (stopped || !armed) return;
    timer = setTimeout(() => {
      stopped = true;
      onIdle();
    }, timeoutMs);
  };
  return {
    arm() {
      armed = true;
      start();
    },
    disarm() {
      armed = false;
      clear();
    },
    stop() {
      stopped = true;
      clear();
    },
    stream(onBytes) {
      return new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
        transform(chunk, controller) {
          start();
          onBytes?.(chunk.byteLength);
          controller.enqueue(chunk);
        },
      });
    },
  };
}
