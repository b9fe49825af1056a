import type { StreamEvent } from '../../widget/shared/protocol.js';

/** Response headers of every event stream. */
export function sseHeaders(streamId: string, extra?: Headers): Headers {
  const headers = new Headers(extra);
  headers.set('content-type', 'text/event-stream; charset=utf-8');
  // no-transform keeps compression middleware and proxies from buffering the stream.
  headers.set('cache-control', 'no-cache, no-transform');
  headers.set('x-accel-buffering', 'no');
  headers.set('x-stream-id', streamId);
  return headers;
}

/** One SSE frame. JSON.stringify escapes CR and LF, so `data` is always one line. */
export function encodeEvent(id: string, event: StreamEvent): string {
  return `id: ${id}\ndata: ${JSON.stringify(event)}\n\n`;
}

export interface SseEncoderOptions {
  streamId: string;
  /** Client reconnection delay announced in the `retry:` field. */
  retryMs?: number;
  /** A `: keep-alive` comment is sent when nothing else went out for this long. */
  heartbeatMs: number;
}

/**
 * Frames events as SSE with ids `streamId:seq` and keeps a quiet connection alive for
 * proxies that close idle ones (nginx, load balancers: 60 s). A heartbeat is skipped
 * while the client is behind: its connection is not idle then.
 */
export function createSseEncoder(options: SseEncoderOptions): TransformStream<StreamEvent, string> {
  let seq = 0;
  let lastSent = performance.now();
  let interval: ReturnType<typeof setInterval> | undefined;
  const stop = (): void => {
    if (interval) clearInterval(interval);
    interval = undefined;
  };
  return new TransformStream<StreamEvent, string>({
    start(controller) {
      controller.enqueue(`retry: ${options.retryMs ?? 1000}\n\n`);
      interval = setInterval(() => {
        if (performance.now() - lastSent < options.heartbeatMs) return;
        if ((controller.desiredSize ?? 0) < 0) return;
        try {
          controller.enqueue(': keep-alive\n\n');
          lastSent = performance.now();
        } catch {
          stop();
        }
      }, Math.min(options.heartbeatMs, 1000));
    },
    transform(event, controller) {
      controller.enqueue(encodeEvent(`${options.streamId}:${seq++}`, event));
      lastSent = performance.now();
    },
    flush() {
      stop();
    },
    cancel() {
      stop();
    },
  } as Transformer<StreamEvent, string>);
}
