import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openaiAdapter, parseOpenAIChunk } from '../../api/_lib/upstream/providers/openai.js';
import type { UpstreamEvent } from '../../api/_lib/upstream/providers/provider-adapter.js';
import { seededRandom } from '../support/random-splits.js';

// The stream reader takes a fast path for text chunks (openai-chunk-shape.ts). Whatever
// the upstream sends, it must give exactly the events that parsing each chunk in full
// gives; these tests compare the two on recorded and on adversarial streams.

/** Events with errors reduced to what a caller can see of them. */
function plain(events: UpstreamEvent[]): unknown[] {
  return events.map((e) => (e.type === 'error' ? { type: 'error', code: e.error.code, message: e.error.message, detail: e.error.detail, retryable: e.error.retryable } : e));
}

function expectSameAsFullParse(messages: string[], label: string): void {
  const reader = openaiAdapter.createStreamReader();
  messages.forEach((data, i) => {
    expect(plain(reader.read({ data })), `${label}, message ${i}: ${data}`).toEqual(plain(parseOpenAIChunk(data)));
  });
}

/** Texts that stress the fast path: quotes, escapes, control characters, look-alike keys. */
const TRICKY = [
  ' word',
  'q',
  'p',
  'a "quoted" word',
  'back\\slash',
  'line\nbreak',
  'tab\there',
  '\u0000nul',
  '\u001f',
  'café 東京 🚀',
  '"content":"x"',
  '"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"',
  '\\',
  '\\"',
  '}',
  ' ',
  '',
];

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** One response's chunks as an OpenAI-compatible server might write them, with damage mixed in. */
function randomStream(random: () => number): string[] {
  const head = {
    id: `chatcmpl-${Math.floor(random() * 1e9).toString(36)}`,
    object: 'chat.completion.chunk',
    created: 1_770_000_000 + Math.floor(random() * 1000),
    model: pick(['gpt-4o-mini', 'llama3.1:8b', 'q'], random),
    ...(random() < 0.5 ? { service_tier: 'default', system_fingerprint: 'fp_1' } : {}),
  };
  const usage = random() < 0.5;
  const padding = random() < 0.6;
  const frame = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ ...head, choices, ...(usage ? { usage: null } : {}), ...(padding ? { obfuscation: 'x'.repeat(1 + Math.floor(random() * 15)) } : {}), ...extra });
  const text = (content: string): string => frame([{ index: 0, delta: { content }, logprobs: null, finish_reason: null }]);
  const messages = [frame([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }])];
  const count = 5 + Math.floor(random() * 40);
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.6) messages.push(text(pick(TRICKY, random)));
    else if (roll < 0.68) {
      // A refusal beside a decoy `content` key: the only `"content":` in the chunk is not the delta's.
      const words = ['no', 'q', 'p'];
      messages.push(frame([{ index: 0, delta: { refusal: pick(words, random) }, message: { content: pick(words, random) }, logprobs: null, finish_reason: null }]));
    }
    else if (roll < 0.7) messages.push(JSON.stringify({ ...head, id: 'other', choices: [{ index: 0, delta: { content: ' other id' } }] }));
    else if (roll < 0.75) messages.push(frame([{ index: 0, delta: { content: ' x', tool_calls: [] } }]));
    else if (roll < 0.8) {
      // Damage: a raw control character or a lone backslash where the text goes, or a cut chunk.
      const good = text(pick([' word', 'q', 'tail'], random));
      const at = good.indexOf('"content":"') + 11;
      messages.push(pick([good.slice(0, at) + '\u0001' + good.slice(at), good.slice(0, at) + '\\' + good.slice(at), good.slice(0, -3), good.replace(/"obfuscation":"x+"/, '"obfuscation":"\\u0001"')], random));
    } else if (roll < 0.85) messages.push(text(pick(TRICKY, random)).replace('"obfuscation":"', '"obfuscation":"\\"'));
    else messages.push(text(` t${i}`));
  }
  messages.push(frame([{ index: 0, delta: {}, logprobs: null, finish_reason: pick(['stop', 'length'], random) }]));
  if (usage) messages.push(frame([], { usage: { prompt_tokens: 9, completion_tokens: count } }));
  if (random() < 0.2) messages.push('{"error":{"message":"overloaded","type":"server_error"}}');
  messages.push('[DONE]');
  return messages;
}

describe('OpenAI stream reader', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads the recorded OpenAI stream into the same events as parsing each chunk', () => {
    const recorded = readFileSync(new URL('../fixtures/openai-text.chunks.txt', import.meta.url), 'utf8').trim().split('\n');
    expectSameAsFullParse([...recorded, '[DONE]'], 'recording');
  });

  it('gives the same events as parsing each chunk, for 500 random streams with damaged chunks', () => {
    for (let seed = 1; seed <= 500; seed++) expectSameAsFullParse(randomStream(seededRandom(seed)), `seed ${seed}`);
  });

  it('reads plain text chunks without parsing them once it has seen one', () => {
    const head = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":';
    const chunk = (text: string, pad: string): string => `${head}${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"${pad}"}`;
    const reader = openaiAdapter.createStreamReader();
    reader.read({ data: chunk('Hello', 'abc') });
    const parse = vi.spyOn(JSON, 'parse');
    const texts: string[] = [];
    for (let i = 0; i < 100; i++) {
      for (const event of reader.read({ data: chunk(` word${i}`, 'x'.repeat(1 + (i % 16))) })) if (event.type === 'text') texts.push(event.text);
    }
    expect(texts).toEqual(Array.from({ length: 100 }, (_, i) => ` word${i}`));
    expect(parse).not.toHaveBeenCalled();
    // Escaped text parses the string alone, not the chunk.
    expect(reader.read({ data: chunk('two\nlines "quoted"', 'p') })).toEqual([{ type: 'text', text: 'two\nlines "quoted"' }]);
  });

  it('a shape learned on one stream is not used by another', () => {
    const a = openaiAdapter.createStreamReader();
    const b = openaiAdapter.createStreamReader();
    const chunk = (id: string, text: string): string => JSON.stringify({ id, choices: [{ index: 0, delta: { content: text } }] });
    a.read({ data: chunk('a', 'first') });
    const parse = vi.spyOn(JSON, 'parse');
    expect(b.read({ data: chunk('b', 'second') })).toEqual([{ type: 'text', text: 'second' }]);
    expect(parse).toHaveBeenCalled();
  });
});
