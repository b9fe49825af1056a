import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents } from '../support/read-events.js';

// Reasoning between pieces of text (a model that thinks again mid-answer), from a real
// upstream on 127.0.0.1 that writes the whole stream at once: the answer coalesces both
// kinds, and must still send them in the upstream's order, never one inside the other.

const PIECES: Array<['reasoning' | 'token', string]> = [
  ['reasoning', 'First, the question.'],
  ['token', 'Part one.'],
  ['reasoning', ' Now the second step'],
  ['reasoning', ', carefully.'],
  ['token', ' Part two'],
  ['token', ', done.'],
  ['reasoning', ' Check: fine.'],
  ['token', ' The end.'],
];

function chunk(delta: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-interleaved', object: 'chat.completion.chunk', created: 1, model: 'deepseek-reasoner', choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], ...extra })}\n\n`;
}

function interleavedStream(): string {
  const body = PIECES.map(([kind, text]) => chunk(kind === 'reasoning' ? { content: null, reasoning_content: text } : { content: text, reasoning_content: null })).join('');
  const finish = `data: ${JSON.stringify({ id: 'chatcmpl-interleaved', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 30, total_tokens: 35, completion_tokens_details: { reasoning_tokens: 14 } } })}\n\n`;
  return chunk({ role: 'assistant', content: '' }) + body + finish + 'data: [DONE]\n\n';
}

/** Merges adjacent events of one kind: how coalescing cut them does not matter, their order does. */
function runs(events: Array<['reasoning' | 'token', string]>): Array<['reasoning' | 'token', string]> {
  const merged: Array<['reasoning' | 'token', string]> = [];
  for (const [kind, text] of events) {
    const last = merged.at(-1);
    if (last && last[0] === kind) last[1] += text;
    else merged.push([kind, text]);
  }
  return merged;
}

describe('reasoning between pieces of text', () => {
  let upstream: Server;
  let api: TestApi;
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(interleavedStream());
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    api = await startTestApi({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` });
  });
  afterAll(async () => {
    await api.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('keeps the upstream order of reasoning and text through coalescing', async () => {
    for (let round = 0; round < 5; round++) {
      const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'think twice' }] }));
      const pieces = events.flatMap(({ event }): Array<['reasoning' | 'token', string]> => (event.type === 'reasoning' || event.type === 'token' ? [[event.type, event.content]] : []));
      expect(runs(pieces)).toEqual(runs(PIECES));
      expect(events.at(-1)?.event).toMatchObject({ type: 'done', usage: { completionTokens: 30, reasoningTokens: 14 } });
    }
  });
});
