import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { askHostile, hostileMessage } from '../support/hostile-upstream.js';
import { postChat, readEvents, textOf } from '../support/read-events.js';

// An upstream (or a proxy before it) that echoes the request, headers and body, into
// its error bodies and streamed errors: neither the key nor the prompt reaches a log
// line, and the client sees only plain messages.

/** A key with no `sk-` prefix and no mixed case: only the configured-key rule, or not logging bodies at all, keeps it out. */
const KEY = 'plainlowercasekey0000000000';

describe('nothing secret in a log, even from an upstream that echoes the request', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ OPENAI_API_KEY: KEY, AI_STREAM_MAX_RETRIES: '1' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('an HTTP error that echoes the request is logged by status, type, code and request id', async () => {
    // An HTTP error is no stream: nothing to wait for on the upstream's side.
    const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: hostileMessage('echo-error') }] }));
    expect(events.map((e) => e.event.type)).toEqual(['start', 'retry', 'error']);
    expect(events.at(-1)?.event).toMatchObject({ code: 'upstream_unavailable', message: 'The model provider failed (HTTP 500).' });
    const logged = api.logs.filter((l) => l.event === 'retry' || l.event === 'error');
    expect(logged).toHaveLength(2);
    for (const line of logged) expect(line.detail).toMatch(/^upstream 500 server_error\/echo \(request req_[0-9a-f]{32}\)$/);
  });

  it('a streamed error that echoes the request is logged by type and code', async () => {
    const { events } = await askHostile(api, 'echo-error-mid');
    expect(textOf(events).length).toBeGreaterThan(0);
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_error', message: 'The model provider reported an error while answering.' });
    expect(api.logs.findLast((l) => l.event === 'error')?.detail).toBe('streamed error server_error/echo');
  });

  it('no log line holds the key, a bearer token or the prompt; the upstream did get the key', async () => {
    // One ordinary answer too, so every kind of line is there.
    await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'an ordinary question' }] }));
    expect(api.upstream.stats.requests.some((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(api.logs.length).toBeGreaterThan(8);
    for (const line of api.logs) {
      const text = JSON.stringify(line);
      expect(text).not.toContain(KEY);
      expect(text).not.toMatch(/bearer/i);
      expect(text).not.toContain('tell me something');
      expect(text).not.toContain('ordinary question');
    }
  });
});
