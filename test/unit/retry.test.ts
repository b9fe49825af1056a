import { describe, expect, it, vi } from 'vitest';
import { backoffDelayMs, isRetryableStatus, retryAfterMs } from '../../api/_lib/upstream/retry.js';
import { abortableDelay } from '../../widget/shared/abortable-delay.js';

describe('retry timing', () => {
  it('retries 408, 409, 429 and 5xx only', () => {
    expect([400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 529].filter(isRetryableStatus)).toEqual([408, 409, 429, 500, 502, 503, 529]);
  });

  it('reads retry-after-ms first, then retry-after in seconds or as a date', () => {
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250.5', 'retry-after': '9' }))).toBe(250.5);
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });

  it('backs off 1 s, 2 s, 4 s with up to 25% jitter', () => {
    expect([1, 2, 3].map((n) => backoffDelayMs(n, 1000, () => 0))).toEqual([1000, 2000, 4000]);
    expect([1, 2, 3].map((n) => backoffDelayMs(n, 1000, () => 1))).toEqual([750, 1500, 3000]);
  });

  it('stops waiting the moment the signal aborts, and leaves no timer behind', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const controller = new AbortController();
      let outcome = 'pending';
      const wait = abortableDelay(10_000, controller.signal).then(
        () => (outcome = 'resolved'),
        (error: unknown) => (outcome = `rejected: ${error instanceof Error ? error.message : String(error)}`),
      );
      await vi.advanceTimersByTimeAsync(20);
      expect(outcome).toBe('pending');
      controller.abort(new Error('stop'));
      // No fake time passes: only the abort can settle it.
      await wait;
      expect(outcome).toBe('rejected: stop');
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
