import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NdjsonParser } from '../../api/_lib/upstream/ndjson-parser.js';
import { anthropicAdapter } from '../../api/_lib/upstream/providers/anthropic.js';
import { geminiAdapter } from '../../api/_lib/upstream/providers/gemini.js';
import { ollamaAdapter } from '../../api/_lib/upstream/providers/ollama.js';
import { openaiResponsesAdapter } from '../../api/_lib/upstream/providers/openai-responses.js';
import type { ProviderAdapter, UpstreamEvent } from '../../api/_lib/upstream/providers/provider-adapter.js';
import { SseParser, type SseReceiver } from '../../api/_lib/upstream/sse-parser.js';
import { randomSplits, seededRandom } from '../support/random-splits.js';

const TEXT = 'Holiday cheer — café 東京 🚀\n- one\n- two';
const REASONING = 'The user greets me in Japanese — café 東京 🚀.';

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
}

/** The production path for one body: decode, frame (SSE or NDJSON), read with the adapter's reader, then the body's end. */
function readBody(adapter: ProviderAdapter, pieces: Uint8Array[]): UpstreamEvent[] {
  const reader = adapter.createStreamReader();
  const events: UpstreamEvent[] = [];
  const receiver: SseReceiver = {
    onSseMessage: (message) => events.push(...reader.read(message)),
    onSseOverflow: () => events.push({ type: 'text', text: '<overflow>' }),
  };
  const parser = adapter.framing === 'ndjson' ? new NdjsonParser(receiver, 1 << 20) : new SseParser(receiver, 1 << 20);
  const decoder = new TextDecoder();
  for (const piece of pieces) parser.feed(decoder.decode(piece, { stream: true }));
  parser.feed(decoder.decode());
  if (parser instanceof NdjsonParser) parser.end();
  events.push(...(reader.bodyEnded?.() ?? []));
  return events;
}

function summary(events: UpstreamEvent[]): { text: string; reasoning: string; rest: UpstreamEvent[] } {
  return {
    text: events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join(''),
    reasoning: events.flatMap((e) => (e.type === 'reasoning' ? [e.text] : [])).join(''),
    rest: events.filter((e) => e.type !== 'text' && e.type !== 'reasoning'),
  };
}

const cases: Array<{ name: string; adapter: ProviderAdapter; file: string; rest: UpstreamEvent[] }> = [
  {
    name: 'Anthropic Messages with a thinking block, a redacted one and pings',
    adapter: anthropicAdapter,
    file: 'anthropic-thinking.sse.txt',
    rest: [
      // message_start: the prompt (input + cache), never its placeholder output count.
      { type: 'usage', promptTokens: 29, cachedPromptTokens: 8 },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', completionTokens: 30 },
      // The second message_delta's totals overwrite the first's.
      { type: 'finish', reason: 'stop' },
      { type: 'usage', promptTokens: 29, cachedPromptTokens: 8, completionTokens: 41 },
      { type: 'end' },
    ],
  },
  {
    name: 'Gemini with thought parts, CRLF-framed, ending with the connection',
    adapter: geminiAdapter,
    file: 'gemini-thoughts.sse.txt',
    rest: [
      { type: 'usage', promptTokens: 9, completionTokens: 11, reasoningTokens: 11 },
      { type: 'usage', promptTokens: 9, completionTokens: 21, reasoningTokens: 21 },
      { type: 'usage', promptTokens: 9, completionTokens: 29, reasoningTokens: 21 },
      { type: 'usage', promptTokens: 9, completionTokens: 35, reasoningTokens: 21 },
      { type: 'usage', promptTokens: 9, completionTokens: 35, reasoningTokens: 21, cachedPromptTokens: 4 },
      { type: 'finish', reason: 'stop' },
      { type: 'end' },
    ],
  },
  {
    name: 'OpenAI Responses with a reasoning summary',
    adapter: openaiResponsesAdapter,
    file: 'openai-responses-reasoning.sse.txt',
    rest: [
      { type: 'finish', reason: 'stop' },
      { type: 'usage', promptTokens: 37, completionTokens: 75, reasoningTokens: 64, cachedPromptTokens: 16 },
      { type: 'end' },
    ],
  },
  {
    name: 'Ollama native NDJSON with thinking',
    adapter: ollamaAdapter,
    file: 'ollama-thinking.ndjson.txt',
    rest: [{ type: 'finish', reason: 'stop' }, { type: 'usage', promptTokens: 26, completionTokens: 282 }, { type: 'end' }],
  },
];

describe('provider adapters read recorded-shape streams through the production parsers', () => {
  for (const c of cases) {
    it(`${c.name}: the same text, reasoning and usage at any split, inside UTF-8 and CRLF pairs`, () => {
      const whole = fixture(c.file);
      for (let seed = 1; seed <= 300; seed++) {
        const pieces = seed === 1 ? [whole] : randomSplits(whole, seededRandom(seed), 1 + (seed % 37));
        const got = summary(readBody(c.adapter, pieces));
        expect(got.text, `seed ${seed}`).toBe(TEXT);
        expect(got.reasoning, `seed ${seed}`).toBe(REASONING);
        expect(got.rest, `seed ${seed}`).toEqual(c.rest);
      }
    });
  }

  it('a Gemini body that ends before any finish reason is a lost connection, not an answer', () => {
    const whole = new TextDecoder().decode(fixture('gemini-thoughts.sse.txt'));
    const cut = whole.slice(0, whole.indexOf('"finishReason"'));
    const events = readBody(geminiAdapter, [new TextEncoder().encode(cut.slice(0, cut.lastIndexOf('data:')))]);
    expect(events.some((e) => e.type === 'end')).toBe(false);
  });

  it('an NDJSON line cut by the end of the body still counts; blank lines do not', () => {
    const body = '\n{"message":{"content":"a"},"done":false}\r\n\r\n{"message":{"content":"b"},"done":true,"eval_count":2}';
    const events = readBody(ollamaAdapter, [new TextEncoder().encode(body)]);
    expect(summary(events).text).toBe('ab');
    expect(events.at(-1)).toEqual({ type: 'end' });
  });
});

describe('streamed errors', () => {
  const read = (adapter: ProviderAdapter, data: string, event?: string) => adapter.createStreamReader().read({ data, event });

  it('Anthropic: an overloaded_error event is retryable and its text stays out of the message', () => {
    const [e] = read(anthropicAdapter, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded sk-ant-secret"}}', 'error');
    expect(e).toMatchObject({ type: 'error', error: { code: 'upstream_error', retryable: true } });
    if (e?.type !== 'error') return;
    expect(`${e.error.message} ${e.error.detail}`).not.toContain('sk-ant-secret');
    expect(e.error.detail).toContain('overloaded_error');
  });

  it('Anthropic: an invalid_request_error event is not retried', () => {
    const [e] = read(anthropicAdapter, '{"type":"error","error":{"type":"invalid_request_error","message":"bad"}}', 'error');
    expect(e).toMatchObject({ type: 'error', error: { retryable: false } });
  });

  it('Anthropic: a refusal ends with finishReason refusal', () => {
    const events = read(anthropicAdapter, '{"type":"message_delta","delta":{"stop_reason":"refusal"},"usage":{"output_tokens":3}}', 'message_delta');
    expect(events[0]).toEqual({ type: 'finish', reason: 'refusal' });
  });

  it('Gemini: a streamed UNAVAILABLE error is retryable', () => {
    const [e] = read(geminiAdapter, '{"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}');
    expect(e).toMatchObject({ type: 'error', error: { retryable: true } });
  });

  it('Responses: the flat and the nested error shapes are both read', () => {
    const flat = read(openaiResponsesAdapter, '{"type":"error","code":"server_error","message":"x","param":null,"sequence_number":3}', 'error');
    const nested = read(openaiResponsesAdapter, '{"type":"error","sequence_number":2,"error":{"type":"insufficient_quota","code":"insufficient_quota","message":"quota"}}', 'error');
    expect(flat[0]).toMatchObject({ type: 'error', error: { retryable: true } });
    expect(nested[0]).toMatchObject({ type: 'error', error: { retryable: false } });
    if (nested[0]?.type === 'error') expect(nested[0].error.detail).toContain('insufficient_quota');
  });

  it('Ollama: an {"error"} line under status 200 is an error event', () => {
    const [e] = read(ollamaAdapter, '{"error":"an error was encountered while running the model"}');
    expect(e).toMatchObject({ type: 'error', error: { code: 'upstream_error' } });
  });

  it('every adapter turns unparseable data into a malformed-stream error', () => {
    for (const adapter of [anthropicAdapter, geminiAdapter, openaiResponsesAdapter, ollamaAdapter]) {
      expect(read(adapter, '{"type": "message_', 'content_block_delta')[0]).toMatchObject({ type: 'error', error: { code: 'upstream_error', retryable: true } });
    }
  });
});

describe('HTTP errors', () => {
  const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null });

  it('Anthropic 529 is retryable and its body never reaches the log detail', () => {
    const e = anthropicAdapter.parseHttpError(529, headers({ 'request-id': 'req_011' }), '{"type":"error","error":{"type":"overloaded_error","message":"echo: x-api-key sk-ant-api03-secret"}}');
    expect(e).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    expect(e.detail).toBe('upstream 529 overloaded_error/- (request req_011)');
  });

  it("Gemini 429 waits for the body's RetryInfo when no header says how long", () => {
    const body = JSON.stringify({ error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }] } });
    const e = geminiAdapter.parseHttpError(429, headers({}), body);
    expect(e).toMatchObject({ code: 'upstream_rate_limited', retryable: true, retryAfterMs: 34_400 });
  });
});
