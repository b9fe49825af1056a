import { StringDecoder } from 'node:string_decoder';
import type { EventSourceMessage } from 'eventsource-parser';
import { describe, expect, it } from 'vitest';
import { openaiAdapter } from '../../api/_lib/upstream/providers/openai.js';
import type { UpstreamEvent } from '../../api/_lib/upstream/providers/provider-adapter.js';
import { SseParser } from '../../api/_lib/upstream/sse-parser.js';
import { OPENAI_FIXTURE_END, OPENAI_FIXTURE_TEXT, openaiFixtureWire as wire } from '../support/openai-fixture.js';
import { randomSplits, seededRandom } from '../support/random-splits.js';

/**
 * Reads the pieces as the server does (open-upstream.ts): Node's streaming UTF-8
 * decoder (the transport's `setEncoding('utf8')`), the server's SseParser, and one
 * stream reader of the adapter for the whole stream.
 */
function read(pieces: Uint8Array[]): UpstreamEvent[] {
  const reader = openaiAdapter.createStreamReader();
  const events: UpstreamEvent[] = [];
  const parser = new SseParser(
    {
      onSseMessage: (message: EventSourceMessage) => void events.push(...reader.read(message)),
      onSseOverflow: (maxChars) => void events.push({ type: 'text', text: `<overflow at ${maxChars}>` }),
    },
    1024 * 1024,
  );
  const decoder = new StringDecoder('utf8');
  for (const piece of pieces) {
    const text = decoder.write(Buffer.from(piece));
    if (text !== '') parser.feed(text);
  }
  const rest = decoder.end();
  if (rest !== '') parser.feed(rest);
  return events;
}

function expectFixtureEvents(events: UpstreamEvent[], label: string): void {
  const text = events.flatMap((e) => (e.type === 'text' ? [e.text] : [])).join('');
  expect(text, label).toBe(OPENAI_FIXTURE_TEXT);
  expect(events.filter((e) => e.type !== 'text'), label).toEqual(OPENAI_FIXTURE_END);
}

describe('OpenAI chat completions adapter', () => {
  it('reads the recorded stream, cut at every single point, into the same text, finish reason and usage', () => {
    for (const eol of ['\n', '\r\n'] as const) {
      const bytes = wire(eol);
      // Every boundary: inside each multi-byte character, between CR and LF, inside `data:`.
      for (let at = 1; at < bytes.length; at++) {
        expectFixtureEvents(read([bytes.subarray(0, at), bytes.subarray(at)]), `${JSON.stringify(eol)} cut at byte ${at}`);
      }
    }
  });

  it('reads the recorded stream into the same text, finish reason and usage at any random split', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const pieces = randomSplits(wire(seed % 2 ? '\n' : '\r\n'), random, 1 + (seed % 40));
      expectFixtureEvents(read(pieces), `seed ${seed}`);
    }
  });

  it('reads the recorded stream one byte at a time', () => {
    for (const eol of ['\n', '\r\n'] as const) {
      const bytes = wire(eol);
      expectFixtureEvents(read(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))), `${JSON.stringify(eol)} byte by byte`);
    }
  });

  it('maps every finish reason', () => {
    const reasons = { stop: 'stop', length: 'length', content_filter: 'content_filter', tool_calls: 'tool_calls', function_call: 'tool_calls', something_new: 'other' };
    for (const [wireReason, ours] of Object.entries(reasons)) {
      const events = openaiAdapter.createStreamReader().read({ data: JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: wireReason }] }) });
      expect(events).toEqual([{ type: 'finish', reason: ours }]);
    }
  });

  it('turns an error object sent with status 200 into an error event that keeps the upstream text out of the message and the log', () => {
    const [event] = openaiAdapter.createStreamReader().read({ data: '{"error":{"message":"secret internal detail","type":"server_error","param":null,"code":null}}' });
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
    const [event] = openaiAdapter.createStreamReader().read({ data: '{"choices": [' });
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
