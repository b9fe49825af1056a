import Anthropic, { APIError, InternalServerError, RateLimitError } from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_AFTER_DELTAS, REFUSAL_AFTER_DELTAS, PING_EVERY_DELTAS, planAnthropicAnswer, startUpstream } from '../../demo/upstream/server.js';
import type { LocalUpstream } from '../../demo/upstream/server.js';
import { splittingFetch } from '../support/splitting-fetch.js';

// The official Anthropic client is the judge: what it reads from the local upstream must
// be what the upstream planned, thinking and usage included, and its errors must be the
// ones a real overload or outage raises.

let upstream: LocalUpstream;
let client: Anthropic;

beforeAll(async () => {
  upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
  client = new Anthropic({ apiKey: 'test-key', baseURL: upstream.origin, maxRetries: 0 });
});

afterAll(async () => {
  await upstream.close();
});

function params(content: string, extra: Partial<MessageCreateParamsStreaming> = {}): MessageCreateParamsStreaming {
  return {
    model: 'claude-sonnet-5-5',
    max_tokens: 4096,
    system: 'You are a test.',
    messages: [{ role: 'user', content }],
    stream: true,
    ...extra,
  };
}

interface Reading {
  events: RawMessageStreamEvent[];
  text: string;
  thinking: string;
}

async function read(request: MessageCreateParamsStreaming, reader: Anthropic = client): Promise<Reading> {
  const events: RawMessageStreamEvent[] = [];
  for await (const event of await reader.messages.create(request)) events.push(event);
  const deltas = events.flatMap((event) => (event.type === 'content_block_delta' ? [event.delta] : []));
  return {
    events,
    text: deltas.map((delta) => (delta.type === 'text_delta' ? delta.text : '')).join(''),
    thinking: deltas.map((delta) => (delta.type === 'thinking_delta' ? delta.thinking : '')).join(''),
  };
}

async function readUntilError(request: MessageCreateParamsStreaming): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const event of await client.messages.create(request)) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
  } catch (error) {
    return { text, error };
  }
  return { text, error: undefined };
}

describe('the official Anthropic client against the local upstream', () => {
  it('streams exactly the planned text, in Anthropic event order, with input tokens up front', async () => {
    const request = params('Explain server-sent events');
    const plan = planAnthropicAnswer(request);
    const { events, text, thinking } = await read(request);
    expect(text).toBe(plan.text);
    expect(thinking).toBe('');
    expect(events[0]).toMatchObject({ type: 'message_start', message: { role: 'assistant', model: 'claude-sonnet-5-5' } });
    expect(events[0]?.type === 'message_start' && events[0].message.usage.input_tokens).toBe(plan.usage.input_tokens);
    expect(events[1]).toMatchObject({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(events.at(-3)).toMatchObject({ type: 'content_block_stop', index: 0 });
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: plan.usage });
    expect(events.at(-1)).toEqual({ type: 'message_stop' });
  });

  it('streams a thinking block (thinking deltas, then a signature) before the text block', async () => {
    const request = params('Think first [[reasoning:120]] [[length:30]]');
    const plan = planAnthropicAnswer(request);
    const { events, text, thinking } = await read(request);
    expect(thinking).toBe(plan.thinking);
    expect(plan.reasoning).toHaveLength(120);
    expect(text).toBe(plan.text);
    const kinds = events.map((event) => (event.type === 'content_block_delta' ? `${event.index}:${event.delta.type}` : event.type));
    const firstText = kinds.indexOf('1:text_delta');
    expect(kinds.lastIndexOf('0:thinking_delta')).toBeLessThan(kinds.indexOf('0:signature_delta'));
    expect(kinds.indexOf('0:signature_delta')).toBeLessThan(firstText);
    expect(plan.usage.output_tokens).toBe(150);
  });

  it('messages.stream() assembles the final message: thinking with its signature, text, usage overwritten not added', async () => {
    const request = params('Assemble [[reasoning:60]] [[length:70]] [[cached:5]]');
    const plan = planAnthropicAnswer(request);
    const final = await client.messages.stream(request).finalMessage();
    expect(final.content).toEqual([
      { type: 'thinking', thinking: plan.thinking, signature: plan.signature },
      { type: 'text', text: plan.text },
    ]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject(plan.usage);
    expect(final.usage.cache_read_input_tokens).toBe(5);
  });

  it('reads the same stream cut into 1..7-byte reads (inside UTF-8 characters and event lines)', async () => {
    const request = params('Split reads naïve café — 東京 🚀 [[reasoning:40]]');
    const plan = planAnthropicAnswer(request);
    for (const seed of [1, 2, 3]) {
      const splitting = new Anthropic({ apiKey: 'test-key', baseURL: upstream.origin, maxRetries: 0, fetch: splittingFetch(seed) });
      const { text, thinking } = await read(request, splitting);
      expect(text).toBe(plan.text);
      expect(thinking).toBe(plan.thinking);
    }
  });

  it('sends pings among the deltas, which the client skips', async () => {
    const request = params(`Long one [[length:${PING_EVERY_DELTAS * 2 + 1}]]`);
    const response = await fetch(`${upstream.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const body = await response.text();
    expect(body.match(/^event: ping$/gm)).toHaveLength(3);
    const { text } = await read(request);
    expect(text).toBe(planAnthropicAnswer(request).text);
  });

  it('max_tokens stops early with stop_reason "max_tokens"', async () => {
    const request = params('Cut me', { max_tokens: 9 });
    const { events, text } = await read(request);
    expect(text).toBe(planAnthropicAnswer(request).text);
    expect(events.at(-2)).toMatchObject({ type: 'message_delta', delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 9 } });
  });

  it('[[refusal]] ends after a few deltas with stop_reason "refusal"', async () => {
    const request = params('Something unsafe [[refusal]]');
    const final = await client.messages.stream(request).finalMessage();
    expect(final.stop_reason).toBe('refusal');
    expect(final.content).toEqual([{ type: 'text', text: planAnthropicAnswer(request).text }]);
    expect(planAnthropicAnswer(request).deltas).toHaveLength(REFUSAL_AFTER_DELTAS);
  });

  it('json_schema output streams text that JSON.parse accepts', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false };
    const request = params('A name as JSON', { output_config: { format: { type: 'json_schema', schema } } });
    const { text } = await read(request);
    expect(JSON.parse(text)).toEqual({ name: expect.any(String) });
  });
});

describe('faults as the official Anthropic client sees them', () => {
  it('[[fault:529]] is an APIError with status 529 and type overloaded_error', async () => {
    const error = await client.messages.create(params('[[fault:529]]')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 529, type: 'overloaded_error' });
  });

  it('[[fault:429]] is a RateLimitError with retry-after', async () => {
    const error = await client.messages.create(params('[[fault:429]]')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error' });
    expect((error as RateLimitError).headers.get('retry-after')).toBe('1');
  });

  it('[[fault:500]] is an InternalServerError of type api_error', async () => {
    const error = await client.messages.create(params('[[fault:500]]')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 500, type: 'api_error' });
  });

  it('[[fault:overloaded]] answers 200, then an overloaded_error as the first event', async () => {
    const { text, error } = await readUntilError(params('[[fault:overloaded]]'));
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: undefined, type: 'overloaded_error' });
    expect(text).toBe('');
  });

  it('[[fault:529:1]] faults once, so the client\'s own retry succeeds', async () => {
    const retrying = new Anthropic({ apiKey: 'test-key', baseURL: upstream.origin, maxRetries: 1 });
    const request = params('Retry me [[fault:529:1]] [[length:6]]');
    const before = upstream.stats.totalRequests;
    const { text } = await read(request, retrying);
    expect(text).toBe(planAnthropicAnswer(request).text);
    expect(upstream.stats.totalRequests - before).toBe(2);
  });

  it('[[fault:error-first]] raises an api_error APIError before any text', async () => {
    const { text, error } = await readUntilError(params('[[fault:error-first]]'));
    expect(error).toMatchObject({ type: 'api_error' });
    expect(text).toBe('');
  });

  it('[[fault:error-mid]] raises an overloaded_error APIError after the first deltas', async () => {
    const request = params('Break later [[fault:error-mid]]');
    const { text, error } = await readUntilError(request);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ type: 'overloaded_error' });
    expect(text).toBe(planAnthropicAnswer(request).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
  });

  it('[[fault:drop]] surfaces as an error after the first deltas, never as a clean end', async () => {
    const request = params('Drop me [[fault:drop]]');
    const closed = upstream.stats.nextStreamClosed();
    const { text, error } = await readUntilError(request);
    expect(error).toBeInstanceOf(Error);
    expect(text).toBe(planAnthropicAnswer(request).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
    expect(await closed).toMatchObject({ reason: 'fault', fault: 'drop', path: '/v1/messages' });
  });

  it('[[fault:garbage]] surfaces as a JSON syntax error', async () => {
    const { error } = await readUntilError(params('[[fault:garbage]]'));
    expect(error).toBeInstanceOf(SyntaxError);
  });

  it('rejects a request without x-api-key or anthropic-version, in Anthropic\'s error shape', async () => {
    const post = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${upstream.origin}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(params('hi')),
      });
    const noKey = await post({ 'anthropic-version': '2023-06-01' });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const noVersion = await post({ 'x-api-key': 'k' });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });
});
