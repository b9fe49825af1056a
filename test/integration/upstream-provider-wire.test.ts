import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream } from '../../demo/upstream/server.js';
import type { LocalUpstream } from '../../demo/upstream/server.js';

// Byte-level checks below any client, for the routes beside Chat Completions: framing
// exactly as each provider frames it, and a client abort seen promptly on every route.

interface Route {
  name: string;
  path: string;
  headers: Record<string, string>;
  body(prompt: string): unknown;
  contentType: string;
}

const ROUTES: readonly Route[] = [
  {
    name: 'Anthropic Messages',
    path: '/v1/messages',
    headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    body: (prompt) => ({ model: 'claude-sonnet-5-5', max_tokens: 4096, stream: true, messages: [{ role: 'user', content: prompt }] }),
    contentType: 'text/event-stream; charset=utf-8',
  },
  {
    name: 'Gemini streamGenerateContent',
    path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    headers: { 'x-goog-api-key': 'k' },
    body: (prompt) => ({ contents: [{ role: 'user', parts: [{ text: prompt }] }] }),
    contentType: 'text/event-stream',
  },
  {
    name: 'OpenAI Responses',
    path: '/v1/responses',
    headers: { authorization: 'Bearer k' },
    body: (prompt) => ({ model: 'o4-mini', input: prompt, stream: true }),
    contentType: 'text/event-stream; charset=utf-8',
  },
  {
    name: 'Ollama /api/chat',
    path: '/api/chat',
    headers: {},
    body: (prompt) => ({ model: 'llama3.2', messages: [{ role: 'user', content: prompt }] }),
    contentType: 'application/x-ndjson',
  },
];

let upstream: LocalUpstream;

beforeAll(async () => {
  upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
});

afterAll(async () => {
  await upstream.close();
});

function post(route: Route, prompt: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${upstream.origin}${route.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...route.headers },
    body: JSON.stringify(route.body(prompt)),
    ...(signal ? { signal } : {}),
  });
}

function byName(name: string): Route {
  const route = ROUTES.find((candidate) => candidate.name === name);
  if (route === undefined) throw new Error(`no route ${name}`);
  return route;
}

/** Named SSE events: `event: NAME\ndata: JSON\n\n`, where the JSON's `type` repeats the name. */
function namedEvents(body: string): Array<{ name: string; data: Record<string, unknown> }> {
  expect(body.endsWith('\n\n')).toBe(true);
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const match = /^event: ([a-z_.]+)\ndata: (\{.*\})$/.exec(frame);
      expect(match, frame).not.toBeNull();
      return { name: match?.[1] ?? '', data: JSON.parse(match?.[2] ?? '{}') as Record<string, unknown> };
    });
}

describe('framing on the wire', () => {
  it.each(ROUTES)('$name answers with its content type', async (route) => {
    const response = await post(route, 'Type [[length:3]]');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(route.contentType);
    await response.text();
  });

  it('Anthropic: every frame is a named event whose data.type repeats the name', async () => {
    const events = namedEvents(await (await post(byName('Anthropic Messages'), 'Frames [[length:4]] [[reasoning:3]]')).text());
    expect(events.every(({ name, data }) => data['type'] === name)).toBe(true);
    expect(events.map(({ name }) => name)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array<string>(3).fill('content_block_delta'),
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'ping',
      ...Array<string>(4).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('Anthropic overloaded fault: a 200 whose only event is an overloaded_error', async () => {
    const response = await post(byName('Anthropic Messages'), '[[fault:overloaded]]');
    expect(response.status).toBe(200);
    const events = namedEvents(await response.text());
    expect(events).toEqual([
      { name: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: expect.stringMatching(/^req_011C/) } },
    ]);
  });

  it('Responses: named events with consecutive sequence numbers, no [DONE]', async () => {
    const body = await (await post(byName('OpenAI Responses'), 'Frames [[length:4]] [[reasoning:2]]')).text();
    const events = namedEvents(body);
    expect(events.every(({ name, data }) => data['type'] === name)).toBe(true);
    expect(events.map(({ data }) => data['sequence_number'])).toEqual(events.map((_, i) => i));
    expect(body).not.toContain('[DONE]');
  });

  it('Ollama: one JSON object per line, each ending in \\n, the last one done', async () => {
    const body = await (await post(byName('Ollama /api/chat'), 'Lines [[length:4]] [[reasoning:2]]')).text();
    expect(body.endsWith('}\n')).toBe(true);
    const lines = body.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2 + 4 + 1);
    expect(lines.map((line) => line['done'])).toEqual([false, false, false, false, false, false, true]);
    expect(lines[0]).toMatchObject({ message: { role: 'assistant', content: '', thinking: expect.any(String) } });
  });

  it('Ollama error-mid: a 200 whose error arrives as an {"error"} line', async () => {
    const response = await post(byName('Ollama /api/chat'), '[[fault:error-mid]]');
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split('\n');
    expect(JSON.parse(lines.at(-1) ?? '')).toEqual({ error: expect.stringContaining('error-mid') });
  });
});

describe('client aborts on every route', () => {
  it.each(ROUTES)('$name: a client abort mid-stream is seen promptly, as "client-aborted"', async (route) => {
    const controller = new AbortController();
    const closed = upstream.stats.nextStreamClosed();
    const response = await post(route, 'Abort me [[pace:0,100]] [[length:2000]] [[reasoning:20]]', controller.signal);
    await response.body?.getReader().read();
    const abortedAt = performance.now();
    controller.abort();
    const event = await closed;
    expect(event.reason).toBe('client-aborted');
    expect(event.at - abortedAt).toBeLessThan(1_000);
  });
});

describe('pace on every route', () => {
  const chatCompletions: Route = {
    name: 'OpenAI Chat Completions',
    path: '/v1/chat/completions',
    headers: { authorization: 'Bearer k' },
    body: (prompt) => ({ model: 'deepseek-reasoner', stream: true, messages: [{ role: 'user', content: prompt }] }),
    contentType: 'text/event-stream; charset=utf-8',
  };

  it.each([...ROUTES, chatCompletions])('$name: reasoning streams token by token, not in one burst', async (route) => {
    // 12 reasoning tokens and 3 of text at 40 per second with no wait before the first:
    // paced, the last byte cannot come before some 12 × 25 = 300 ms; in one burst it
    // comes at once. (A lower bound: timers cannot fire early, however busy the machine;
    // counting reads instead failed when a busy client read several writes at once.)
    const sent = performance.now();
    const response = await post(route, 'Paced [[pace:0,40]] [[reasoning:12]] [[length:3]]');
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    let last = sent;
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      last = performance.now();
    }
    expect(last - sent).toBeGreaterThanOrEqual(300);
  });
});
