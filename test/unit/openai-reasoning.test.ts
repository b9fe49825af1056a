import { readFileSync } from 'node:fs';
import type { EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { openaiAdapter, parseOpenAIChunk } from '../../api/_lib/upstream/providers/openai.js';
import type { UpstreamEvent } from '../../api/_lib/upstream/providers/provider-adapter.js';
import { SseParser } from '../../api/_lib/upstream/sse-parser.js';
import { randomChunks, randomSplits, seededRandom } from '../support/random-splits.js';

// Reasoning as OpenAI-compatible servers stream it, read the way the server reads an
// upstream (bytes → TextDecoder → SseParser → the adapter's stream reader).

/** A fixture as its server sends it: one `data:` event per payload line; `:` lines are comments. */
function wire(name: string, eol = '\n'): Uint8Array {
  const lines = readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8').trim().split('\n');
  const frames = lines.map((line) => (line.startsWith(':') ? `${line}${eol}${eol}` : `data: ${line}${eol}${eol}`));
  return new TextEncoder().encode(`${frames.join('')}data: [DONE]${eol}${eol}`);
}

/** The production path: the server's SSE parser feeding one stream reader. */
function read(pieces: Uint8Array[]): UpstreamEvent[] {
  const reader = openaiAdapter.createStreamReader();
  const events: UpstreamEvent[] = [];
  const parser = new SseParser(
    {
      onSseMessage: (message: EventSourceMessage) => void events.push(...reader.read(message)),
      onSseOverflow: () => {
        throw new Error('overflow');
      },
    },
    1024 * 1024,
  );
  const decoder = new TextDecoder();
  for (const piece of pieces) parser.feed(decoder.decode(piece, { stream: true }));
  parser.feed(decoder.decode());
  return events;
}

interface Reading {
  reasoning: string;
  text: string;
  /** Every event but text and reasoning, in order. */
  rest: UpstreamEvent[];
  /** The event types with runs collapsed: where reasoning and text sit relative to each other. */
  order: string[];
}

function summarize(events: UpstreamEvent[]): Reading {
  const order: string[] = [];
  for (const event of events) if (order.at(-1) !== event.type) order.push(event.type);
  return {
    reasoning: events.map((e) => (e.type === 'reasoning' ? e.text : '')).join(''),
    text: events.map((e) => (e.type === 'text' ? e.text : '')).join(''),
    rest: events.filter((e) => e.type !== 'text' && e.type !== 'reasoning'),
    order,
  };
}

const cases = [
  {
    fixture: 'deepseek-reasoning.chunks.txt',
    reasoning: 'Okay, the user says hi.\n\nI should greet back — café 東京 🚀.',
    text: 'Hello! How can I help?',
    rest: [{ type: 'finish', reason: 'stop' }, { type: 'usage', promptTokens: 13, completionTokens: 29, reasoningTokens: 21, cachedPromptTokens: 8 }, { type: 'end' }],
  },
  {
    fixture: 'openrouter-reasoning.chunks.txt',
    reasoning: 'The question is short; answer briefly.',
    text: 'Hi there!',
    rest: [{ type: 'finish', reason: 'stop' }, { type: 'usage', promptTokens: 10, completionTokens: 14, reasoningTokens: 11 }, { type: 'end' }],
  },
  {
    fixture: 'think-tags.chunks.txt',
    reasoning: 'Okay, a greeting. <b>not</b> a tag here\n',
    text: 'Hello! 👋',
    rest: [{ type: 'finish', reason: 'stop' }, { type: 'usage', promptTokens: 9, completionTokens: 17 }, { type: 'end' }],
  },
] as const;

describe('OpenAI-compatible reasoning, through the production reader', () => {
  for (const { fixture, reasoning, text, rest } of cases) {
    it(`reads ${fixture} into exact reasoning, text and usage at any byte split, reasoning first`, () => {
      for (let seed = 1; seed <= 150; seed++) {
        const random = seededRandom(seed);
        const bytes = wire(fixture, seed % 3 === 0 ? '\r\n' : '\n');
        const reading = summarize(read(randomSplits(bytes, random, 1 + (seed % 50))));
        expect(reading.reasoning, `seed ${seed}`).toBe(reasoning);
        expect(reading.text, `seed ${seed}`).toBe(text);
        expect(reading.rest, `seed ${seed}`).toEqual(rest);
        expect(reading.order.slice(0, 2), `seed ${seed}`).toEqual(['reasoning', 'text']);
      }
    });
  }

  it('splits <think> content cut into deltas at random points, tags included', () => {
    const head = { id: 'chatcmpl-local', object: 'chat.completion.chunk', created: 1, model: 'qwen3' };
    const chunk = (content: string): string => JSON.stringify({ ...head, choices: [{ index: 0, delta: { content }, finish_reason: null }] });
    const finish = JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    const thinking = 'Hmm. </thinker> <think> is not closing; </ neither — 東京 🚀';
    const answer = 'The answer: `</think>` stays text here.\n\nDone.';
    const content = `<think>\n${thinking}</think>\n\n${answer}`;
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const messages = [...randomChunks(content, random, 1 + (seed % 12)).map(chunk), finish, '[DONE]'];
      const reader = openaiAdapter.createStreamReader();
      const events = messages.flatMap((data) => reader.read({ data }));
      const reading = summarize(events);
      expect(reading.reasoning, `seed ${seed}`).toBe(thinking);
      expect(reading.text, `seed ${seed}`).toBe(answer);
      expect(reading.order, `seed ${seed}`).toEqual(['reasoning', 'text', 'finish', 'end']);
    }
  });

  it('a stream cut short inside <think> gives its held text as reasoning, and a lone "<thi" as text', () => {
    const chunk = (content: string): string => JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { content } }] });
    const cut = openaiAdapter.createStreamReader();
    const events = ['<think>', 'almost </thi', '[DONE]'].flatMap((data, i) => cut.read({ data: i < 2 ? chunk(data) : data }));
    expect(events).toEqual([{ type: 'reasoning', text: 'almost ' }, { type: 'reasoning', text: '</thi' }, { type: 'end' }]);
    const lone = openaiAdapter.createStreamReader();
    const tail = [chunk('<thi'), JSON.stringify({ id: 'x', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })].flatMap((data) => lone.read({ data }));
    expect(tail).toEqual([{ type: 'text', text: '<thi' }, { type: 'finish', reason: 'stop' }]);
  });

  it('reasoning chunks are never read as text by the learned-shape fast path', () => {
    // Text chunks first, so the reader learns their shape; then reasoning chunks that
    // differ from them only in the delta's field, in each server's shape.
    const shapes = [
      (field: 'content' | 'reasoning_content', value: string): string =>
        JSON.stringify({ id: 'a', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { [field]: value }, logprobs: null, finish_reason: null }], usage: null, obfuscation: 'pad' }),
      (field: 'content' | 'reasoning_content', value: string): string =>
        JSON.stringify({ id: 'b', choices: [{ index: 0, delta: field === 'content' ? { content: value, reasoning_content: null } : { content: null, reasoning_content: value } }] }),
      (field: 'content' | 'reasoning_content', value: string): string =>
        JSON.stringify({ id: 'c', choices: [{ index: 0, delta: field === 'content' ? { content: value, reasoning: null } : { content: '', reasoning: value } }] }),
      (field: 'content' | 'reasoning_content', value: string): string =>
        JSON.stringify({ id: 'd', choices: [{ index: 0, delta: field === 'content' ? { content: value } : { content: value, reasoning_content: value } }] }),
    ];
    for (const [i, shape] of shapes.entries()) {
      const reader = openaiAdapter.createStreamReader();
      for (const word of ['Hello', ' there', ' again']) expect(reader.read({ data: shape('content', word) }), `shape ${i}`).toEqual([{ type: 'text', text: word }]);
      const thought = reader.read({ data: shape('reasoning_content', ' why') });
      expect(thought[0], `shape ${i}`).toEqual({ type: 'reasoning', text: ' why' });
      expect(reader.read({ data: shape('content', ' after') }), `shape ${i}`).toEqual([{ type: 'text', text: ' after' }]);
    }
  });

  it('parses reasoning on its own, before the text of the same chunk', () => {
    const data = JSON.stringify({ choices: [{ index: 0, delta: { content: 'answer', reasoning_content: 'thought' } }] });
    expect(parseOpenAIChunk(data)).toEqual([
      { type: 'reasoning', text: 'thought' },
      { type: 'text', text: 'answer' },
    ]);
    const both = JSON.stringify({ choices: [{ index: 0, delta: { reasoning: 'r' } }] });
    expect(parseOpenAIChunk(both)).toEqual([{ type: 'reasoning', text: 'r' }]);
  });
});
