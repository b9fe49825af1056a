import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf, waitFor, type ReceivedEvent } from '../support/read-events.js';

// Every provider through the real handler over HTTP, against the local upstream's
// byte-faithful route for it (whose fidelity the official clients prove).

const PROVIDERS = [
  { alias: 'gpt-4o-mini', path: '/v1/chat/completions', provider: 'openai' },
  { alias: 'o4-mini', path: '/v1/responses', provider: 'openai-responses' },
  { alias: 'claude-haiku', path: '/v1/messages', provider: 'anthropic' },
  { alias: 'gemini-flash', path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent', provider: 'gemini' },
  { alias: 'llama3.2', path: '/api/chat', provider: 'ollama' },
] as const;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ AI_STREAM_COALESCE_MS: '0' });
});
afterAll(() => api?.close());

function ask(model: string, content: string, extra: Record<string, unknown> = {}): Promise<ReceivedEvent[]> {
  return postChat(api.endpoint, { model, messages: [{ role: 'user', content }], ...extra }).then((r) => {
    expect(r.status).toBe(200);
    return readEvents(r);
  });
}

const typesOf = (events: ReceivedEvent[]) => events.map((e) => e.event.type);

describe.each(PROVIDERS)('$provider ($alias)', ({ alias, path, provider }) => {
  it('streams an answer with the provider usage, the key in the right header and never in a URL', async () => {
    const before = api.upstream.stats.totalRequests;
    const events = await ask(alias, 'Tell me about tides [[length:40]]');
    const types = typesOf(events);
    expect(types[0]).toBe('start');
    expect(events[0]?.event).toMatchObject({ model: alias, provider });
    expect(types.at(-1)).toBe('done');
    const done = events.at(-1)?.event;
    expect(done).toMatchObject({ type: 'done', finishReason: 'stop', usage: { completionTokens: 40, source: 'provider' } });
    expect(textOf(events).length).toBeGreaterThan(0);
    const request = api.upstream.stats.requests.at(-1);
    expect(api.upstream.stats.totalRequests).toBe(before + 1);
    expect(request?.path.split('?')[0]).toBe(path);
    expect(request?.path).not.toContain('sk-test-key');
    // Ollama's own server has no auth: nothing is sent to it.
    if (provider === 'ollama') expect(JSON.stringify(request?.headers)).not.toContain('sk-test-key');
    else expect(JSON.stringify(request?.headers)).toContain('sk-test-key-never-logged');
  });

  it('closes the upstream connection at once on a cancel by id', async () => {
    const response = await postChat(api.endpoint, { model: alias, messages: [{ role: 'user', content: 'Go on [[length:5000]] [[pace:0,200]]' }] });
    const id = response.headers.get('x-stream-id') ?? '';
    const closed = api.upstream.stats.nextStreamClosed();
    const reading = readEvents(response);
    await waitFor(() => api.upstream.stats.openStreams > 0, 5_000, 'the upstream stream to open');
    const sent = performance.now();
    expect((await fetch(`${api.endpoint}?id=${id}`, { method: 'DELETE' })).status).toBe(204);
    const record = await closed;
    expect(record.reason).toBe('client-aborted');
    // Measured at a few ms on a quiet machine; the bound only catches a cancel that waits
    // for the upstream (seconds), not a busy shared machine.
    expect(record.at - sent).toBeLessThan(1_000);
    const events = await reading;
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'cancelled' });
  });

  it('JSON mode streams a document that parses', async () => {
    const events = await ask(alias, 'A person [[length:60]]', { mode: 'json', schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } });
    expect(typesOf(events).at(-1)).toBe('done');
    expect(() => JSON.parse(textOf(events))).not.toThrow();
  });

  it('retries a 5xx before the first token, then answers once', async () => {
    // The fault ledger counts attempts per conversation: each provider gets its own.
    const events = await ask(alias, `Hello ${alias} [[fault:500:1]] [[length:10]]`);
    expect(typesOf(events)).toContain('retry');
    expect(typesOf(events).at(-1)).toBe('done');
  });

  it('a stream that breaks after text ends with an error event, the text kept, never retried', async () => {
    const events = await ask(alias, 'Hello [[fault:drop]] [[length:40]]');
    expect(typesOf(events)).not.toContain('retry');
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_error' });
    expect(textOf(events).length).toBeGreaterThan(0);
  });
});

describe('reasoning from every provider that thinks', () => {
  // Gemini and the Responses API report reasoning tokens apart; Anthropic and Ollama count them in the output.
  it.each([
    ['claude-sonnet-thinking', undefined],
    ['gemini-pro', 12],
    ['o4-mini', 12],
    ['qwen3', undefined],
  ])('%s streams its reasoning before the answer, never inside it', async (alias, reasoningTokens) => {
    const events = await ask(alias, 'Why is the sky blue? [[reasoning:12]] [[length:20]]');
    const types = typesOf(events);
    const firstReasoning = types.indexOf('reasoning');
    expect(firstReasoning).toBeGreaterThan(0);
    expect(firstReasoning).toBeLessThan(types.indexOf('token'));
    expect(types.lastIndexOf('reasoning')).toBeLessThan(types.indexOf('token'));
    const done = events.at(-1)?.event as { usage: { reasoningTokens?: number } };
    expect(done.usage.reasoningTokens).toBe(reasoningTokens);
    const reasoning = events.map((e) => (e.event.type === 'reasoning' ? e.event.content : '')).join('');
    expect(reasoning.length).toBeGreaterThan(0);
    expect(textOf(events)).not.toContain(reasoning.slice(0, 20));
  });

  it('Anthropic: the prompt tokens are known from message_start even when the answer is cancelled', async () => {
    const response = await postChat(api.endpoint, { model: 'claude-haiku', messages: [{ role: 'user', content: 'Go on [[length:5000]] [[pace:0,100]]' }] });
    const id = response.headers.get('x-stream-id') ?? '';
    const events: ReceivedEvent[] = [];
    const reading = readEvents(response, (e) => events.push(e));
    await waitFor(() => events.some((e) => e.event.type === 'token'), 5_000, 'a token');
    await fetch(`${api.endpoint}?id=${id}`, { method: 'DELETE' });
    await reading;
    const planned = api.upstream.stats.requests.at(-1);
    expect(planned).toBeDefined();
    const done = events.at(-1)?.event as { finishReason: string; usage: { promptTokens: number } };
    expect(done.finishReason).toBe('cancelled');
    expect(done.usage.promptTokens).toBeGreaterThan(0);
    const cancelLog = api.logs.filter((l) => l.event === 'cancel').at(-1);
    expect(cancelLog?.promptTokens).toBe(done.usage.promptTokens);
  });

  it('Anthropic: a 200 whose first event is overloaded_error is retried like a 529', async () => {
    const events = await ask('claude-haiku', 'Hello [[fault:overloaded:1]] [[length:10]]');
    expect(typesOf(events)).toContain('retry');
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop' });
  });

  it('Anthropic: a refusal ends with finishReason refusal', async () => {
    const events = await ask('claude-haiku', 'Something bad [[refusal]] [[length:20]]');
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'refusal' });
  });

  it('Gemini: a 503 UNAVAILABLE is retried', async () => {
    const events = await ask('gemini-flash', 'Hello [[fault:503:1]] [[length:10]]');
    expect(typesOf(events)).toContain('retry');
    expect(typesOf(events).at(-1)).toBe('done');
  });
});
