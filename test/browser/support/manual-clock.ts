/**
 * A clock the test moves by hand, for a StreamClient's retry waits (its `delay`
 * option): each wait is recorded and settles only when {@link ManualClock.advance}
 * passes its end, or rejects when its signal aborts (as abortableDelay does). A wait
 * that ends without the clock moving was cut short by the code under test.
 */
export interface ManualClock {
  delay(ms: number, signal: AbortSignal): Promise<void>;
  advance(ms: number): void;
  /** Waits not settled yet. */
  pending(): number;
  /** Every wait asked for, in ms. */
  asked: number[];
}

/** Builds a {@link ManualClock} at time 0. */
export function manualClock(): ManualClock {
  let now = 0;
  const waits: Array<{ until: number; resolve: () => void }> = [];
  const asked: number[] = [];
  return {
    asked,
    delay(ms, signal) {
      asked.push(ms);
      return new Promise<void>((resolve, reject) => {
        const wait = { until: now + ms, resolve };
        waits.push(wait);
        signal.addEventListener('abort', () => {
          waits.splice(waits.indexOf(wait), 1);
          reject(signal.reason);
        });
      });
    },
    advance(ms) {
      now += ms;
      for (const wait of waits.filter((w) => w.until <= now)) {
        waits.splice(waits.indexOf(wait), 1);
        wait.resolve();
      }
    },
    pending: () => waits.length,
  };
}
