import OpenAI, { APIError, InternalServerError, RateLimitError } from 'openai';
import type { ResponseCreateParamsStreaming, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_AFTER_DELTAS, planOpenAIResponsesAnswer, startUpstream } from '../../demo/upstream/server.js';
import type { LocalUpstream } from '../../demo/upstream/server.js';
import { splittingFetch } from '../support/splitting-fetch.js';

// The official openai client's Responses API is the judge: named events with sequence
// numbers, the reasoning summary, usage only in response.completed, and both shapes of
// the `error` event (nested before output, flat after it).

let upstream: LocalUpstream;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
  client = new OpenAI({ apiKey: 'test', baseURL: upstream.url, maxRetries: 0 });
});

afterAll(async () => {
  await upstream.close();
});

function params(input: string, extra: Partial<ResponseCreateParamsStreaming> = {}): ResponseCreateParamsStreaming {
  return { model: 'o4-mini', instructions: 'You are a test.', input, stream: true, ...extra };
}

interface Reading {
  events: ResponseStreamEvent[];
  text: string;
  summary: string;
}

async function read(request: ResponseCreateParamsStreaming, reader: OpenAI = client): Promise<Reading> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of await reader.responses.create(request)) events.push(event);
  return {
    events,
    text: events.map((event) => (event.type === 'response.output_text.delta' ? event.delta : '')).join(''),
    summary: events.map((event) => (event.type === 'response.reasoning_summary_text.delta' ? event.delta : '')).join(''),
  };
}

async function readUntilError(request: ResponseCreateParamsStreaming): Promise<{ events: ResponseStreamEvent[]; text: string; error: unknown }> {
  const events: ResponseStreamEvent[] = [];
  try {
    for await (const event of await client.responses.create(request)) events.push(event);
  } catch (error) {
    return { events, text: textOf(events), error };
  }
  return { events, text: textOf(events), error: undefined };
}

function textOf(events: readonly ResponseStreamEvent[]): string {
  return events.map((event) => (event.type === 'response.output_text.delta' ? event.delta : '')).join('');
}

describe('the official openai client (Responses API) against the local upstream', () => {
  it('streams exactly the planned text in named events, sequence numbers counting from 0, usage in response.completed', async () => {
    const request = params('Explain server-sent events');
    const plan = planOpenAIResponsesAnswer(request);
    const { events, text, summary } = await read(request);
    expect(text).toBe(plan.text);
    expect(summary).toBe('');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.slice(0, 4).map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(events.at(-4)).toMatchObject({ type: 'response.output_text.done', text: plan.text });
    const completed = events.at(-1);
    expect(completed?.type).toBe('response.completed');
    expect(completed?.type === 'response.completed' && completed.response.usage).toEqual(plan.usage);
    expect(completed?.type === 'response.completed' && completed.response.output).toMatchObject([
      { type: 'message', status: 'completed', content: [{ type: 'output_text', text: plan.text }] },
    ]);
  });

  it('streams a reasoning summary before the text, with reasoning and cached tokens in the usage', async () => {
    const request = params('Think first [[reasoning:90]] [[length:30]] [[cached:8]]');
    const plan = planOpenAIResponsesAnswer(request);
    const { events, text, summary } = await read(request);
    expect(summary).toBe(plan.summary);
    expect(text).toBe(plan.text);
    const types = events.map((event) => event.type);
    expect(types.lastIndexOf('response.reasoning_summary_text.delta')).toBeLessThan(types.indexOf('response.output_text.delta'));
    const completed = events.at(-1);
    expect(completed?.type === 'response.completed' && completed.response.usage).toMatchObject({
      output_tokens: 120,
      output_tokens_details: { reasoning_tokens: 90 },
      input_tokens_details: { cached_tokens: 8 },
    });
  });

  it('responses.stream() assembles the final response: reasoning item and message', async () => {
    const request = params('Assemble [[reasoning:20]] [[length:40]]');
    const plan = planOpenAIResponsesAnswer(request);
    const final = await client.responses.stream(request).finalResponse();
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe(plan.text);
    expect(final.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: plan.summary }] });
    expect(final.usage).toEqual(plan.usage);
  });

  it('reads the same stream cut into 1..7-byte reads', async () => {
    const request = params('Split naïve café — 東京 🚀 [[reasoning:30]] [[length:150]]');
    const plan = planOpenAIResponsesAnswer(request);
    for (const seed of [1, 2, 3]) {
      const splitting = new OpenAI({ apiKey: 'test', baseURL: upstream.url, maxRetries: 0, fetch: splittingFetch(seed) });
      const { text, summary } = await read(request, splitting);
      expect(text).toBe(plan.text);
      expect(summary).toBe(plan.summary);
    }
  });

  it('max_output_tokens ends with response.incomplete (reason max_output_tokens)', async () => {
    const request = params('Cut me', { max_output_tokens: 16 });
    const { events, text } = await read(request);
    expect(text).toBe(planOpenAIResponsesAnswer(request).text);
    expect(events.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: { output_tokens: 16 } },
    });
  });

  it('a json_schema text format streams text that JSON.parse accepts', async () => {
    const schema = { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false };
    const { text } = await read(params('A title', { text: { format: { type: 'json_schema', name: 'answer', schema, strict: true } } }));
    expect(JSON.parse(text)).toEqual({ title: expect.any(String) });
  });
});

describe('faults as the official openai client (Responses API) sees them', () => {
  it('[[fault:429]] is a RateLimitError, [[fault:500]] an InternalServerError, [[fault:503]] a 503', async () => {
    expect(await client.responses.create(params('[[fault:429]]')).catch((e: unknown) => e)).toBeInstanceOf(RateLimitError);
    expect(await client.responses.create(params('[[fault:500]]')).catch((e: unknown) => e)).toBeInstanceOf(InternalServerError);
    expect(await client.responses.create(params('[[fault:503]]')).catch((e: unknown) => e)).toMatchObject({ status: 503 });
  });

  it('[[fault:error-first]] sends the nested error event, which the client raises before any text', async () => {
    const { events, text, error } = await readUntilError(params('[[fault:error-first]]'));
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ code: 'server_error', type: 'server_error' });
    expect(events.map((event) => event.type)).toEqual(['response.created', 'response.in_progress']);
    expect(text).toBe('');
  });

  it('[[fault:overloaded]] is the same with code server_is_overloaded', async () => {
    const { error } = await readUntilError(params('[[fault:overloaded]]'));
    expect(error).toMatchObject({ code: 'server_is_overloaded' });
  });

  it('[[fault:error-mid]] sends the flat error event and response.failed after the first deltas', async () => {
    const request = params('Break later [[fault:error-mid]]');
    const { events, text, error } = await readUntilError(request);
    // The flat shape has no `error` member, so the client yields it rather than throwing.
    expect(error).toBeUndefined();
    expect(text).toBe(planOpenAIResponsesAnswer(request).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
    expect(events.at(-2)).toMatchObject({ type: 'error', code: 'server_error', message: expect.stringContaining('error-mid') });
    expect(events.at(-1)).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error' } } });
  });

  it('[[fault:drop]] surfaces as an error after the first deltas, never as a clean end', async () => {
    const request = params('Drop me [[fault:drop]]');
    const closed = upstream.stats.nextStreamClosed();
    const { text, error } = await readUntilError(request);
    expect(error).toBeInstanceOf(Error);
    expect(text).toBe(planOpenAIResponsesAnswer(request).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
    expect(await closed).toMatchObject({ reason: 'fault', fault: 'drop', path: '/v1/responses' });
  });

  it('[[fault:garbage]] surfaces as a JSON syntax error', async () => {
    const { error } = await readUntilError(params('[[fault:garbage]]'));
    expect(error).toBeInstanceOf(SyntaxError);
  });
});
