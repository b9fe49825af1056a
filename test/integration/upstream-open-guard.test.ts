import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketTransport } from '../../api/_lib/upstream/transports/socket-transport.js';
import type { UpstreamTransport } from '../../api/_lib/upstream/transports/upstream-transport.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { waitFor } from '../support/read-events.js';

// An upstream request is never opened for a client that has already gone: the client's
// signal is looked at right before each attempt, not only listened to afterwards.

describe('no upstream call for a client already gone', () => {
  let api: TestApi;
  /** Every upstream request the server opened, through the real socket transport. */
  const opened: string[] = [];
  const counting: UpstreamTransport = (url, init, receiver) => {
    opened.push(url);
    return socketTransport(url, init, receiver);
  };
  beforeAll(async () => {
    api = await startTestApi({}, { deps: { transport: counting } });
  });
  afterAll(async () => {
    await api.close();
  });

  it('a request whose signal fired before the answer was set up opens no upstream request', async () => {
    const gone = new AbortController();
    gone.abort();
    const response = await api.handler(
      new Request(api.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'nobody is listening' }] }),
        signal: gone.signal,
      }),
    );
    // The transport is called synchronously when an attempt opens: by now it would have been.
    expect(opened).toEqual([]);
    await response.text();
    await waitFor(() => api.handler.registry.size === 0, 2_000, 'an empty registry');
    expect(api.logs.findLast((l) => l.event === 'cancel')).toMatchObject({ reason: 'client disconnected' });
    expect(opened).toEqual([]);
  });
});
