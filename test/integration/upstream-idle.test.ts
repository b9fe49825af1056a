import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf, waitFor } from '../support/read-events.js';

// The idle watchdog measures upstream silence, whatever the client reads: heartbeats
// going out to the client (every second here) must not keep a silent upstream alive.

describe('the upstream idle watchdog', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ AI_STREAM_HEARTBEAT_MS: '1000', AI_STREAM_IDLE_TIMEOUT_MS: '2500' }, { deps: { maxStreamMs: 60_000 } });
  });
  afterAll(async () => {
    await api.close();
  });

  it('ends an upstream that stalls after its first tokens, though heartbeats went out meanwhile', async () => {
    const closed = api.upstream.stats.nextStreamClosed();
    const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: 'stall after a few tokens [[fault:stall]]' }] });
    const events = await readEvents(response);
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_timeout', message: 'The model provider stopped responding.' });
    expect((await closed).reason).toBe('client-aborted');
    await waitFor(() => api.handler.registry.size === 0, 2_000, 'an empty registry');
  }, 20_000);
});
