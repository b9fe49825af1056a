import { readFileSync } from 'node:fs';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { describe, expect, it } from 'vitest';
import { openaiAdapter } from '../../api/_lib/providers/openai.js';
import type { UpstreamEvent } from '../../api/_lib/providers/provider-adapter.js';
import { randomSplits, seededRandom, streamOf } from '../support/random-splits.js';

const payloads = readFileSync(new URL('../fixtures/openai-text.chunks.txt', import.meta.url), 'utf8').trim().split('\n');

/** The fixture as OpenAI sends it on the wire, with CRLF or LF line endings. */
function wire(eol: string): Uint8Array {
  return new TextEncoder().encode(payloads.map((p) => `data: ${p}${eol}${eol}`).join(''));
}

async function parse(pieces: Uint8Array[]): Promise<UpstreamEvent[]> {
  const reader = streamOf(pieces).pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  const events: UpstreamEvent[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return events;
    events.push(...openaiAdapter.parseMessage(value));
  }
}

describe('OpenAI chat completions adapter', () => {
  it('reads the recorded stream into the same text, finish reason and usage at any split', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed);
      const events = await parse(randomSplits(wire(seed % 2 ? '\n' : '\r\n'), random, 1 + (seed % 40)));
      const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
      expect(text, `seed ${seed}`).toBe('Holiday cheer — café 東京 🚀\n- one\n- two');
      expect(events.filter((e) => e.type !== 'text'), `seed ${seed}`).toEqual([
        { type: 'finish', reason: 'stop' },
        { type: 'usage', promptTokens: 16, completionTokens: 300 },
        { type: 'end' },
      ]);
    }
  });

  it('maps every finish reason', () => {
    const reasons = { stop: 'stop', length: 'length', content_filter: 'content_filter', tool_calls: 'tool_calls', function_call: 'tool_calls', something_new: 'other' };
    for (const [wireReason, ours] of Object.entries(reasons)) {
      const events = openaiAdapter.parseMessage({ data: JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: wireReason }] }) });
      expect(events).toEqual([{ type: 'finish', reason: ours }]);
    }
  });

  it('turns an error object sent with status 200 into an error event that keeps the upstream text out of the message and the log', () => {
    const [event] = openaiAdapter.parseMessage({ data: '{"error":{"message":"secret internal detail","type":"server_error","param":null,"code":null}}' });
    expect(event?.type).toBe('error');
    if (event?.type !== 'error') return;
    expect(event.error.retryable).toBe(true);
    expect(event.error.message).not.toContain('secret');
    expect(event.error.detail).toBe('streamed error server_error/-');
  });

  it('logs an HTTP error by status, type, code and request id, never its body', () => {
    const body = '{"error":{"message":"Incorrect API key provided: sk-live-abcdef. Your prompt: tell me a secret","type":"invalid_request_error","code":"invalid_api_key"}}';
    const err = openaiAdapter.parseHttpError(401, new Headers({ 'x-request-id': 'req_0123abcd' }), body);
    expect(err.detail).toBe('upstream 401 invalid_request_error/invalid_api_key (request req_0123abcd)');
    expect(openaiAdapter.parseHttpError(502, new Headers(), '<html>Bad Gateway for Bearer sk-x</html>').detail).toBe('upstream 502 (no error object)');
  });

  it('treats a chunk that is not JSON as a malformed stream', () => {
    const [event] = openaiAdapter.parseMessage({ data: '{"choices": [' });
    expect(event).toMatchObject({ type: 'error', error: { code: 'upstream_error' } });
  });

  it('asks for usage in the stream and the response format for JSON mode and schemas', () => {
    const base = { messages: [{ role: 'user' as const, content: 'hi' }], model: { alias: 'm', provider: 'openai', upstreamModel: 'gpt-x', contextWindow: 1000, maxOutputTokens: 100, encoding: 'o200k_base' as const }, temperature: 0.5, maxTokens: 50, schema: undefined, validator: undefined };
    const provider = { kind: 'openai' as const, baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'sk-test' };
    const text = openaiAdapter.buildRequest({ ...base, mode: 'text' }, provider);
    const body = JSON.parse(String(text.init.body)) as Record<string, unknown>;
    expect(text.url).toBe('http://127.0.0.1:1/v1/chat/completions');
    expect(body).toMatchObject({ model: 'gpt-x', stream: true, stream_options: { include_usage: true }, max_tokens: 50, temperature: 0.5 });
    expect(body.response_format).toBeUndefined();
    const json = JSON.parse(String(openaiAdapter.buildRequest({ ...base, mode: 'json' }, provider).init.body)) as Record<string, unknown>;
    expect(json.response_format).toEqual({ type: 'json_object' });
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const withSchema = JSON.parse(String(openaiAdapter.buildRequest({ ...base, mode: 'json', schema }, provider).init.body)) as Record<string, unknown>;
    expect(withSchema.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema, strict: false } });
  });

  it('maps HTTP errors to safe messages, keeping Retry-After', () => {
    const err = openaiAdapter.parseHttpError(429, new Headers({ 'retry-after-ms': '1500' }), '{"error":{"message":"org-123 quota"}}');
    expect(err).toMatchObject({ code: 'upstream_rate_limited', retryable: true, retryAfterMs: 1500 });
    expect(err.message).not.toContain('org-123');
    expect(openaiAdapter.parseHttpError(400, new Headers(), '').retryable).toBe(false);
    expect(openaiAdapter.parseHttpError(503, new Headers(), '').retryable).toBe(true);
    expect(openaiAdapter.parseHttpError(401, new Headers(), '').retryable).toBe(false);
  });
});
