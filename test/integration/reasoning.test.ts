import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOpenAIChatAnswer } from '../../demo/upstream/server.js';
import type { ChatMessage, StreamEvent } from '../../widget/shared/protocol.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf, type ReceivedEvent } from '../support/read-events.js';

// Reasoning through real HTTP: the handler in front of the local upstream, whose Chat
// Completions stream sends `[[reasoning:N]]` as N `delta.reasoning_content` chunks
// before the answer, and whose `[[echo]]` answers the prompt verbatim (so a prompt that
// opens with `<think>` is a model thinking inline).

function reasoningOf(events: ReceivedEvent[]): string {
  return events.map(({ event }) => (event.type === 'reasoning' ? event.content : '')).join('');
}

function indexes(events: ReceivedEvent[], type: StreamEvent['type']): number[] {
  return events.flatMap(({ event }, i) => (event.type === type ? [i] : []));
}

function nonce(): string {
  return `n${Math.random().toString(36).slice(2)}`;
}

describe('reasoning over the stream endpoint', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('sends reasoning events before the first token, never inside the text, and reasoning tokens in usage', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: `Why is the sky blue? ${nonce()} [[reasoning:50]] [[length:40]]` }];
    const response = await postChat(api.endpoint, { messages });
    const streamId = response.headers.get('x-stream-id');
    const events = await readEvents(response);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => `${streamId}:${i}`));
    const reasoning = indexes(events, 'reasoning');
    const tokens = indexes(events, 'token');
    expect(reasoning.length).toBeGreaterThan(0);
    // Coalesced like tokens: 50 deltas from an unpaced upstream make a few events.
    expect(reasoning.length).toBeLessThan(50);
    expect(Math.max(...reasoning)).toBeLessThan(Math.min(...tokens));
    expect(reasoningOf(events).length).toBeGreaterThan(0);
    // The answer is exactly what the upstream answered, without a character of reasoning.
    expect(textOf(events)).toBe(planOpenAIChatAnswer({ model: 'gpt-4o-mini', messages, max_tokens: 4096, stream: true }).text);
    const done = events.at(-1)?.event;
    expect(done).toMatchObject({ type: 'done', finishReason: 'stop', usage: { source: 'provider', reasoningTokens: 50 } });
    // The upstream reports cached_tokens: 0, which is left out.
    expect(done?.type === 'done' && 'cachedPromptTokens' in done.usage).toBe(false);
  });

  it('splits a <think> block at the start of the content into reasoning, HTML and all', async () => {
    const thinking = 'The user wants <b>bold</b> & a <script>alert(1)</script> — 東京 🚀.';
    const answer = `Here is the answer ${nonce()}.`;
    const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: `<think>\n${thinking}</think>\n\n${answer} [[echo]]` }] }));
    expect(reasoningOf(events)).toBe(thinking);
    expect(textOf(events)).toBe(`${answer} `);
    expect(Math.max(...indexes(events, 'reasoning'))).toBeLessThan(Math.min(...indexes(events, 'token')));
  });

  it('streams reasoning while the model still thinks, before any answer text exists', async () => {
    // Three reasoning tokens two seconds apart and no answer at all: the first reasoning
    // must reach the client while the upstream is still sending, and a cancel then
    // reaches the upstream. (Held back until the first text, it would come only after
    // the upstream had completed.)
    const id = nonce();
    const controller = new AbortController();
    const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: `Ponder ${id} [[reasoning:3]] [[length:0]] [[pace:0,0.5]]` }] }, { signal: controller.signal });
    const upstreamRequest = (): string | undefined => api.upstream.stats.requests.find((request) => JSON.stringify(request.body).includes(id))?.requestId;
    let openAtFirstReasoning: boolean | undefined;
    const closed = api.upstream.stats.nextStreamClosed();
    await readEvents(response, ({ event }) => {
      if (event.type !== 'reasoning' || openAtFirstReasoning !== undefined) return;
      const requestId = upstreamRequest();
      openAtFirstReasoning = requestId !== undefined && !api.upstream.stats.closedStreams.some((stream) => stream.requestId === requestId);
      controller.abort();
    }).catch((error: unknown) => {
      if (!controller.signal.aborted) throw error;
    });
    expect(openAtFirstReasoning).toBe(true);
    expect(await closed).toMatchObject({ requestId: upstreamRequest(), reason: 'client-aborted' });
  });

  it('keeps reasoning out of a JSON answer and its check', async () => {
    const events = await readEvents(await postChat(api.endpoint, { mode: 'json', messages: [{ role: 'user', content: `A person ${nonce()} [[reasoning:20]]` }] }));
    expect(reasoningOf(events).length).toBeGreaterThan(0);
    expect(() => JSON.parse(textOf(events)) as unknown).not.toThrow();
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop', usage: { reasoningTokens: 20 } });
  });

  it('logs time to first token for the answer, time to first reasoning beside it', async () => {
    const before = api.logs.length;
    const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: `Log it ${nonce()} [[reasoning:5]] [[length:5]]` }] });
    const streamId = response.headers.get('x-stream-id');
    await readEvents(response);
    const lines = api.logs.slice(before).filter((line) => line.streamId === streamId);
    expect(lines.map((line) => line.event)).toEqual(['start', 'first_token', 'done']);
    expect(lines[1]).toMatchObject({ ttftMs: expect.any(Number), ttfrMs: expect.any(Number) });
    expect(Number(lines[1]?.ttfrMs)).toBeLessThanOrEqual(Number(lines[1]?.ttftMs));
    expect(lines[2]).toMatchObject({ ttfrMs: expect.any(Number), usageSource: 'provider' });
  });
});
