import OpenAI, { APIError, InternalServerError, RateLimitError } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FAULT_AFTER_DELTAS, planOpenAIChatAnswer, startUpstream } from '../../demo/upstream/server.js';
import type { LocalUpstream } from '../../demo/upstream/server.js';

// The official client is the judge of fidelity: whatever it reads must be what the
// upstream planned to send, and its errors must be the ones OpenAI would cause.

let upstream: LocalUpstream;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
  client = new OpenAI({ apiKey: 'test', baseURL: upstream.url, maxRetries: 0 });
});

afterAll(async () => {
  await upstream.close();
});

function streamParams(content: string, extra: Partial<ChatCompletionCreateParamsStreaming> = {}): ChatCompletionCreateParamsStreaming {
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a test.' },
      { role: 'user', content },
    ],
    stream: true,
    stream_options: { include_usage: true },
    ...extra,
  };
}

async function readAll(params: ChatCompletionCreateParamsStreaming): Promise<{ chunks: ChatCompletionChunk[]; text: string }> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of await client.chat.completions.create(params)) chunks.push(chunk);
  return { chunks, text: chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('') };
}

async function readUntilError(params: ChatCompletionCreateParamsStreaming): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const chunk of await client.chat.completions.create(params)) text += chunk.choices[0]?.delta.content ?? '';
  } catch (error) {
    return { text, error };
  }
  return { text, error: undefined };
}

describe('the official openai client against the local upstream', () => {
  it('streams exactly the planned text and usage, in OpenAI chunk order', async () => {
    const params = streamParams('Explain server-sent events');
    const plan = planOpenAIChatAnswer(params);
    const { chunks, text } = await readAll(params);

    expect(text).toBe(plan.text);
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: 'assistant', content: '' });
    const contentChunks = chunks.filter((chunk) => (chunk.choices[0]?.delta.content ?? '') !== '');
    expect(contentChunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(plan.deltas);

    const finish = chunks.at(-2);
    expect(finish?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    const usage = chunks.at(-1);
    expect(usage?.choices).toEqual([]);
    expect(usage?.usage).toEqual(plan.usage);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);

    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(chunks[0]?.id).toMatch(/^chatcmpl-[A-Za-z0-9]{29}$/);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'gpt-4o-mini')).toBe(true);
  });

  it('sends no usage chunk and no usage field without include_usage', async () => {
    const params = streamParams('No usage please [[length:12]]', { stream_options: null });
    const { chunks, text } = await readAll(params);
    expect(text).toBe(planOpenAIChatAnswer(params).text);
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false);
  });

  it('chat.completions.stream() assembles the final completion and total usage', async () => {
    const params = streamParams('Helper check');
    const plan = planOpenAIChatAnswer(params);
    const runner = client.chat.completions.stream(params);
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(plan.text);
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(await runner.totalUsage()).toMatchObject({
      prompt_tokens: plan.usage.prompt_tokens,
      completion_tokens: plan.usage.completion_tokens,
      total_tokens: plan.usage.total_tokens,
    });
  });

  it('max_tokens stops early with finish_reason "length"', async () => {
    const params = streamParams('A long one', { max_tokens: 11 });
    const { chunks, text } = await readAll(params);
    expect(text).toBe(planOpenAIChatAnswer(params).text);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(11);
  });

  it('json_object mode streams text that JSON.parse accepts', async () => {
    const { text } = await readAll(streamParams('Fruits as JSON', { response_format: { type: 'json_object' } }));
    expect(JSON.parse(text)).toMatchObject({ topic: 'Fruits as JSON' });
  });

  it('json_schema mode conforms: the SDK parses it with the zod schema it sent', async () => {
    const Answer = z.object({
      title: z.string().max(40),
      rating: z.number().int().min(1).max(5),
      tags: z.array(z.enum(['fast', 'safe', 'small'])).min(2).max(3),
      author: z.object({ name: z.string(), verified: z.boolean() }),
      note: z.string().nullable(),
    });
    const runner = client.chat.completions.stream({
      ...streamParams('Rate this library'),
      response_format: zodResponseFormat(Answer, 'answer'),
    });
    const final = await runner.finalChatCompletion();
    const parsed = final.choices[0]?.message.parsed;
    expect(Answer.safeParse(parsed).success).toBe(true);
  });

  it('a non-streaming create() returns a chat.completion with the planned text and usage', async () => {
    const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Whole answer [[length:40]]' }] };
    const plan = planOpenAIChatAnswer(params);
    const completion = await client.chat.completions.create(params);
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message).toMatchObject({ role: 'assistant', content: plan.text });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toEqual(plan.usage);
  });
});

describe('faults as the official client sees them', () => {
  it('[[fault:429]] is a RateLimitError carrying the retry headers', async () => {
    const error = await client.chat.completions.create(streamParams('[[fault:429]] hi')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.code).toBe('rate_limit_exceeded');
    expect(rateLimit.headers.get('retry-after')).toBe('1');
    expect(rateLimit.headers.get('retry-after-ms')).toBe('1000');
  });

  it('[[fault:500]] is an InternalServerError before any chunk', async () => {
    const error = await client.chat.completions.create(streamParams('[[fault:500]] hi')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(500);
  });

  it('[[fault:429:1]] faults once, so the client\'s own retry (after retry-after-ms) succeeds', async () => {
    const retrying = new OpenAI({ apiKey: 'test', baseURL: upstream.url, maxRetries: 1 });
    const params = streamParams('Retry me [[fault:429:1]] [[length:6]]');
    const before = upstream.stats.totalRequests;
    let text = '';
    for await (const chunk of await retrying.chat.completions.create(params)) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(planOpenAIChatAnswer(params).text);
    expect(upstream.stats.totalRequests - before).toBe(2);
  });

  it('[[fault:error-first]] raises APIError from the first event', async () => {
    const { text, error } = await readUntilError(streamParams('[[fault:error-first]]'));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('server_error');
    expect(text).toBe('');
  });

  it('[[fault:error-mid]] raises APIError after the first deltas arrived', async () => {
    const params = streamParams('Break later [[fault:error-mid]]');
    const { text, error } = await readUntilError(params);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('error-mid');
    expect(text).toBe(planOpenAIChatAnswer(params).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
  });

  it('[[fault:drop]] surfaces as an error after the first deltas, never as a clean end', async () => {
    const params = streamParams('Drop me [[fault:drop]]');
    const { text, error } = await readUntilError(params);
    expect(error).toBeInstanceOf(Error);
    expect(text).toBe(planOpenAIChatAnswer(params).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
    const closed = upstream.stats.closedStreams.at(-1);
    expect(closed).toMatchObject({ reason: 'fault', fault: 'drop' });
  });

  it('[[fault:garbage]] surfaces as a JSON syntax error', async () => {
    const { error } = await readUntilError(streamParams('[[fault:garbage]]'));
    expect(error).toBeInstanceOf(SyntaxError);
  });
});
