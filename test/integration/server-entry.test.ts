import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type LocalUpstream } from '../../demo/upstream/server.js';
import { createStreamHandler, toNodeHandler } from '../../server/index.js';
import { postChat, readEvents, textOf } from '../support/read-events.js';

// The server entry configured in code alone (no provider variable), served through
// toNodeHandler on node:http, against the local upstream.
describe('ai-stream-chat/server configured in code', () => {
  let upstream: LocalUpstream;
  let endpoint = '';
  let close: () => Promise<void>;
  const logs: string[] = [];

  beforeAll(async () => {
    upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
    const chat = createStreamHandler({
      env: {},
      providers: { local: { baseUrl: upstream.url, apiKey: 'sk-code-key-never-logged' } },
      models: { fast: 'local:gpt-4o-mini', small: { provider: 'local', model: 'gpt-4o-mini', maxOutputTokens: 64 } },
      identify: (request) => request.headers.get('x-test-user') ?? undefined,
      log: (event, fields) => logs.push(JSON.stringify({ event, ...fields })),
    });
    const server = createServer(toNodeHandler(chat.fetch));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/chat/stream`;
    close = async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await upstream.close();
    };
  });
  afterAll(() => close());

  it('streams from the provider and model given in code, with its key sent upstream and kept out of the log', async () => {
    const response = await postChat(endpoint, { model: 'small', messages: [{ role: 'user', content: 'Hello [[length:20]]' }] });
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(events[0]?.event).toMatchObject({ type: 'start', model: 'small', provider: 'local' });
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(textOf(events).length).toBeGreaterThan(20);
    expect(upstream.stats.requests.at(-1)?.headers.authorization).toBe('Bearer sk-code-key-never-logged');
    expect(logs.join('\n')).not.toContain('sk-code-key-never-logged');
  });

  it('holds a request to the model’s own bound, and lists only the aliases given', async () => {
    const tooLong = await postChat(endpoint, { model: 'small', maxTokens: 65, messages: [{ role: 'user', content: 'hi' }] });
    expect(tooLong.status).toBe(400);
    const models = (await (await fetch(`${endpoint}?models`)).json()) as { models: Array<{ alias?: string; id?: string }> };
    expect(JSON.stringify(models)).toContain('"fast"');
    expect(JSON.stringify(models)).not.toContain('gpt-4o"');
  });

  it('only the client the identify hook names may cancel its stream', async () => {
    const response = await postChat(endpoint, { messages: [{ role: 'user', content: 'Cancel me [[length:2000]] [[pace:0,40]]' }] }, { headers: { 'content-type': 'application/json', 'x-test-user': 'ann' } });
    const id = response.headers.get('x-stream-id') ?? '';
    const closed = upstream.stats.nextStreamClosed();
    const events = readEvents(response);
    expect((await fetch(`${endpoint}?id=${id}`, { method: 'DELETE', headers: { 'x-test-user': 'bob' } })).status).toBe(404);
    expect((await fetch(`${endpoint}?id=${id}`, { method: 'DELETE', headers: { 'x-test-user': 'ann' } })).status).toBe(204);
    expect((await closed).reason).toBe('client-aborted');
    expect((await events).at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'cancelled' });
  });
});
