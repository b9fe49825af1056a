import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { hostileMessage } from '../support/hostile-upstream.js';
import { postChat, readEvents, textOf, waitFor } from '../support/read-events.js';

// A stall before the first token is bounded by a budget for the whole answer, across
// retries, and each attempt by a first-byte timeout shorter than the idle timeout.
// Scaled down here: first byte 1.5 s, budget 4 s, idle 20 s (with the old rule the
// stall below took four idle timeouts, 80 s).

describe('time to first token', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(
      { AI_STREAM_FIRST_BYTE_TIMEOUT_MS: '1500', AI_STREAM_FIRST_TOKEN_BUDGET_MS: '4000', AI_STREAM_IDLE_TIMEOUT_MS: '20000', AI_STREAM_MAX_RETRIES: '3' },
      { deps: { maxStreamMs: 120_000 } },
    );
  });
  afterAll(async () => {
    await api.close();
  });

  it('an upstream that never sends a byte: attempts of 1.5 s, retried, then cut off at the budget', async () => {
    const before = api.upstream.stats.totalRequests;
    const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: hostileMessage('stall-first') }] }));
    const retries = events.filter((e) => e.event.type === 'retry');
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]?.event).toMatchObject({ reason: 'The model provider did not start responding.' });
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_timeout', retryable: true });
    const attempts = api.upstream.stats.totalRequests - before;
    expect(attempts).toBe(retries.length + 1);
    // Every attempt's connection is closed, none left waiting.
    await waitFor(() => api.upstream.stats.openStreams === 0, 2_000, 'every upstream connection closed');
    expect(api.upstream.stats.closedStreams.slice(-attempts).every((c) => c.reason === 'client-aborted')).toBe(true);
    const error = api.logs.findLast((l) => l.event === 'error');
    expect(error?.durationMs).toBeGreaterThanOrEqual(4_000);
    expect(error?.durationMs).toBeLessThan(15_000);
    await waitFor(() => api.handler.registry.size === 0, 2_000, 'an empty registry');
  }, 30_000);

  it('a first token inside the budget is not disturbed', async () => {
    const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'a prompt answer [[pace:100,0]] [[length:20]]' }] }));
    expect(events.some((e) => e.event.type === 'retry')).toBe(false);
    expect(events.at(-1)?.event).toMatchObject({ type: 'done' });
    expect(textOf(events).length).toBeGreaterThan(0);
  });
});
