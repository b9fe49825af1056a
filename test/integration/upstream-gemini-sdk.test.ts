import { ApiError, GoogleGenAI } from '@google/genai';
import type { GenerateContentConfig, GenerateContentResponse } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_AFTER_DELTAS, REFUSAL_AFTER_DELTAS, planGeminiAnswer, startUpstream } from '../../demo/upstream/server.js';
import type { GeminiPlan, GeminiRequest, LocalUpstream } from '../../demo/upstream/server.js';
import { splittingFetch } from '../support/splitting-fetch.js';

// The official @google/genai client is the judge: it must read the local upstream's
// CRLF-framed stream into the planned text, thoughts and usage, and raise ApiError with
// the status a real outage would. The plan is computed from the body the client sent
// (as recorded by the upstream), since the client builds the REST body itself.

const MODEL = 'gemini-2.5-flash';
let upstream: LocalUpstream;
let client: GoogleGenAI;

beforeAll(async () => {
  upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
  client = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: upstream.origin } });
});

afterAll(async () => {
  await upstream.close();
});

interface Reading {
  responses: GenerateContentResponse[];
  text: string;
  thoughts: string;
  plan: GeminiPlan;
}

function lastBody(): GeminiRequest {
  const recorded = upstream.stats.requests.findLast((request) => request.path.endsWith(':streamGenerateContent'));
  return recorded?.body as GeminiRequest;
}

async function read(prompt: string, config: GenerateContentConfig = {}, reader: GoogleGenAI = client): Promise<Reading> {
  const responses: GenerateContentResponse[] = [];
  const stream = await reader.models.generateContentStream({
    model: MODEL,
    contents: prompt,
    config: { systemInstruction: 'You are a test.', thinkingConfig: { includeThoughts: true }, ...config },
  });
  for await (const response of stream) responses.push(response);
  const parts = responses.flatMap((response) => response.candidates?.[0]?.content?.parts ?? []);
  return {
    responses,
    text: parts.map((part) => (part.thought === true ? '' : (part.text ?? ''))).join(''),
    thoughts: parts.map((part) => (part.thought === true ? (part.text ?? '') : '')).join(''),
    plan: planGeminiAnswer(lastBody()),
  };
}

async function readUntilError(prompt: string): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const response of await client.models.generateContentStream({ model: MODEL, contents: prompt })) text += response.text ?? '';
  } catch (error) {
    return { text, error };
  }
  return { text, error: undefined };
}

describe('the official @google/genai client against the local upstream', () => {
  it('streams exactly the planned text, usage cumulative and finishReason on the last event', async () => {
    const { responses, text, thoughts, plan } = await read('Explain server-sent events');
    expect(text).toBe(plan.text);
    expect(thoughts).toBe('');
    expect(responses.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(responses.slice(0, -1).every((response) => response.candidates?.[0]?.finishReason === undefined)).toBe(true);
    expect(responses.at(-1)?.usageMetadata).toEqual(plan.usage);
    const counts = responses.map((response) => response.usageMetadata?.candidatesTokenCount ?? -1);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(responses.every((response) => response.modelVersion === MODEL)).toBe(true);
  });

  it('sends the key in x-goog-api-key, never in the URL', async () => {
    await read('Where is my key [[length:3]]');
    const recorded = upstream.stats.requests.findLast((request) => request.path.endsWith(':streamGenerateContent'));
    expect(recorded?.headers['x-goog-api-key']).toBe('test-key');
  });

  it('streams thought parts (thought: true) before the text, counted in thoughtsTokenCount', async () => {
    const { text, thoughts, plan, responses } = await read('Think first [[reasoning:80]] [[length:25]] [[cached:4]]');
    expect(plan.reasoning).toHaveLength(80);
    expect(thoughts).toBe(plan.thoughts);
    expect(text).toBe(plan.text);
    const firstText = responses.findIndex((response) => response.candidates?.[0]?.content?.parts?.[0]?.thought !== true);
    expect(firstText).toBe(80);
    expect(responses.at(-1)?.usageMetadata).toMatchObject({
      thoughtsTokenCount: 80,
      candidatesTokenCount: 25,
      cachedContentTokenCount: 4,
      totalTokenCount: plan.usage.promptTokenCount + 105,
    });
    expect(responses.at(-1)?.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature).toEqual(expect.any(String));
  });

  it('reads the same stream cut into 1..7-byte reads (inside CRLF pairs and UTF-8 characters)', async () => {
    for (const seed of [1, 2, 3]) {
      const splitting = new GoogleGenAI({ apiKey: 'test-key', httpOptions: { baseUrl: upstream.origin, fetch: splittingFetch(seed) } });
      const { text, thoughts, plan } = await read('Split naïve café — 東京 🚀 [[reasoning:30]] [[length:150]]', {}, splitting);
      expect(text).toBe(plan.text);
      expect(thoughts).toBe(plan.thoughts);
    }
  });

  it('maxOutputTokens stops early with finishReason MAX_TOKENS', async () => {
    const { responses, text, plan } = await read('Cut me', { maxOutputTokens: 7 });
    expect(text).toBe(plan.text);
    expect(plan.deltas).toHaveLength(7);
    expect(responses.at(-1)?.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
  });

  it('JSON mode with a schema streams text that JSON.parse accepts', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const { text } = await read('A city as JSON', { responseMimeType: 'application/json', responseJsonSchema: schema });
    expect(JSON.parse(text)).toEqual({ city: expect.any(String) });
  });

  it('[[refusal]] ends early with finishReason SAFETY', async () => {
    const { responses, text, plan } = await read('Something unsafe [[refusal]]');
    expect(text).toBe(plan.text);
    expect(plan.deltas).toHaveLength(REFUSAL_AFTER_DELTAS);
    expect(responses.at(-1)?.candidates?.[0]?.finishReason).toBe('SAFETY');
  });
});

describe('faults as the official @google/genai client sees them', () => {
  it('[[fault:503]] is an ApiError with status 503 (UNAVAILABLE)', async () => {
    const { error } = await readUntilError('[[fault:503]]');
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect((error as ApiError).message).toContain('UNAVAILABLE');
  });

  it('[[fault:429]] is an ApiError with status 429 (RESOURCE_EXHAUSTED) and a retry delay in the body', async () => {
    const { error } = await readUntilError('[[fault:429]]');
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    expect((error as ApiError).message).toContain('RESOURCE_EXHAUSTED');
    expect((error as ApiError).message).toContain('"retryDelay":"1s"');
  });

  it('[[fault:overloaded]] answers 200, then a 503 error event the client raises as ApiError', async () => {
    const { text, error } = await readUntilError('[[fault:overloaded]]');
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    expect(text).toBe('');
  });

  it('[[fault:503:1]] faults once, so the client\'s own retry succeeds', async () => {
    const retrying = new GoogleGenAI({
      apiKey: 'test-key',
      httpOptions: { baseUrl: upstream.origin, retryOptions: { attempts: 2, initialDelay: 0.01 } },
    });
    const before = upstream.stats.totalRequests;
    const { text, plan } = await read('Retry me [[fault:503:1]] [[length:6]]', {}, retrying);
    expect(text).toBe(plan.text);
    expect(upstream.stats.totalRequests - before).toBe(2);
  });

  it('[[fault:error-mid]] raises ApiError 500 after the first deltas', async () => {
    const { text, error } = await readUntilError('Break later [[fault:error-mid]]');
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(500);
    expect(text).toBe(planGeminiAnswer(lastBody()).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
  });

  it('[[fault:drop]] surfaces as an error after the first deltas, never as a clean end', async () => {
    const closed = upstream.stats.nextStreamClosed();
    const { text, error } = await readUntilError('Drop me [[fault:drop]]');
    expect(error).toBeInstanceOf(Error);
    expect(text).toBe(planGeminiAnswer(lastBody()).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
    expect(await closed).toMatchObject({ reason: 'fault', fault: 'drop' });
  });

  it('[[fault:garbage]] surfaces as an error, never as a clean end', async () => {
    const { error } = await readUntilError('[[fault:garbage]]');
    expect(error).toBeInstanceOf(Error);
  });

  it('refuses a key in the URL query with 400, and a request without a key with 403', async () => {
    const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    const path = `${upstream.origin}/v1beta/models/${MODEL}:streamGenerateContent`;
    const inUrl = await fetch(`${path}?alt=sse&key=secret`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(inUrl.status).toBe(400);
    expect(await inUrl.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    const none = await fetch(`${path}?alt=sse`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(none.status).toBe(403);
    expect(await none.json()).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED' } });
  });

  it('frames every event with CRLF and ends without [DONE]', async () => {
    const response = await fetch(`${upstream.origin}/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Frames [[length:4]]' }] }] }),
    });
    const body = await response.text();
    const events = body.split('\r\n\r\n');
    expect(events.at(-1)).toBe('');
    expect(events.slice(0, -1).every((event) => /^data: \{.*\}$/.test(event))).toBe(true);
    expect(events).toHaveLength(4 + 2);
    expect(body).not.toContain('[DONE]');
  });
});
