import { Ollama } from 'ollama';
import type { ChatRequest, ChatResponse } from 'ollama';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FAULT_AFTER_DELTAS, planOllamaAnswer, startUpstream } from '../../demo/upstream/server.js';
import type { LocalUpstream } from '../../demo/upstream/server.js';
import { splittingFetch } from '../support/splitting-fetch.js';

// The official ollama client is the judge of the native /api/chat stream: NDJSON lines
// with message.thinking before message.content, usage only on the done line, and
// {"error": …} lines after a 200 raised as errors.

let upstream: LocalUpstream;
let client: Ollama;

beforeAll(async () => {
  upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
  client = new Ollama({ host: upstream.origin });
});

afterAll(async () => {
  await upstream.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

function request(content: string, extra: Partial<ChatRequest> = {}): ChatRequest & { stream: true } {
  return {
    model: 'llama3.2',
    messages: [
      { role: 'system', content: 'You are a test.' },
      { role: 'user', content },
    ],
    ...extra,
    stream: true,
  };
}

interface Reading {
  lines: ChatResponse[];
  text: string;
  thinking: string;
}

async function read(chat: ChatRequest & { stream: true }, reader: Ollama = client): Promise<Reading> {
  const lines: ChatResponse[] = [];
  for await (const line of await reader.chat(chat)) lines.push(line);
  return {
    lines,
    text: lines.map((line) => line.message.content).join(''),
    thinking: lines.map((line) => line.message.thinking ?? '').join(''),
  };
}

async function readUntilError(chat: ChatRequest & { stream: true }): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const line of await client.chat(chat)) text += line.message.content;
  } catch (error) {
    return { text, error };
  }
  return { text, error: undefined };
}

describe('the official ollama client against the local upstream', () => {
  it('streams exactly the planned text, usage and durations only on the done line', async () => {
    const chat = request('Explain server-sent events');
    const plan = planOllamaAnswer(chat);
    const { lines, text, thinking } = await read(chat);
    expect(text).toBe(plan.text);
    expect(thinking).toBe('');
    expect(lines.slice(0, -1).every((line) => line.done === false && line.eval_count === undefined)).toBe(true);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', prompt_eval_count: plan.promptEvalCount, eval_count: plan.evalCount });
    expect(lines.at(-1)?.total_duration).toBeGreaterThan(0);
    expect(lines.every((line) => line.model === 'llama3.2' && !Number.isNaN(Date.parse(String(line.created_at))))).toBe(true);
  });

  it('streams message.thinking lines before the content, counted in eval_count', async () => {
    const chat = request('Think first [[reasoning:70]] [[length:20]]', { think: true });
    const plan = planOllamaAnswer(chat);
    const { lines, text, thinking } = await read(chat);
    expect(thinking).toBe(plan.thinking);
    expect(plan.reasoning).toHaveLength(70);
    expect(text).toBe(plan.text);
    expect(lines.findIndex((line) => line.message.content !== '')).toBe(70);
    expect(lines.at(-1)?.eval_count).toBe(90);
  });

  it('reads the same stream cut into 1..7-byte reads', async () => {
    const chat = request('Split naïve café — 東京 🚀 [[reasoning:30]] [[length:150]]');
    const plan = planOllamaAnswer(chat);
    for (const seed of [1, 2, 3]) {
      const { text, thinking } = await read(chat, new Ollama({ host: upstream.origin, fetch: splittingFetch(seed) }));
      expect(text).toBe(plan.text);
      expect(thinking).toBe(plan.thinking);
    }
  });

  it('options.num_predict stops early with done_reason "length"', async () => {
    const chat = request('Cut me', { options: { num_predict: 8 } });
    const { lines, text } = await read(chat);
    expect(text).toBe(planOllamaAnswer(chat).text);
    expect(lines.at(-1)).toMatchObject({ done_reason: 'length', eval_count: 8 });
  });

  it('format "json" streams text that JSON.parse accepts', async () => {
    const { text } = await read(request('Fruits as JSON', { format: 'json' }));
    expect(JSON.parse(text)).toMatchObject({ topic: 'Fruits as JSON' });
  });
});

describe('faults as the official ollama client sees them', () => {
  it('[[fault:503]] is a ResponseError with status 503 and Ollama\'s "server busy"', async () => {
    const error = await client.chat(request('[[fault:503]]')).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResponseError', status_code: 503, error: expect.stringContaining('server busy') });
  });

  it('[[fault:429]] and [[fault:500]] are ResponseErrors with their status', async () => {
    expect(await client.chat(request('[[fault:429]]')).catch((e: unknown) => e)).toMatchObject({ name: 'ResponseError', status_code: 429 });
    expect(await client.chat(request('[[fault:500]]')).catch((e: unknown) => e)).toMatchObject({ name: 'ResponseError', status_code: 500 });
  });

  it('[[fault:error-first]] answers 200 with an {"error"} line the client raises before any text', async () => {
    const { text, error } = await readUntilError(request('[[fault:error-first]]'));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('error-first');
    expect(text).toBe('');
  });

  it('[[fault:error-mid]] raises the {"error"} line after the first deltas', async () => {
    const chat = request('Break later [[fault:error-mid]]');
    const { text, error } = await readUntilError(chat);
    expect((error as Error).message).toContain('an error was encountered while running the model');
    expect(text).toBe(planOllamaAnswer(chat).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
  });

  it('[[fault:drop]] surfaces as an error after the first deltas, never as a clean end', async () => {
    const chat = request('Drop me [[fault:drop]]');
    const closed = upstream.stats.nextStreamClosed();
    const { text, error } = await readUntilError(chat);
    expect(error).toBeInstanceOf(Error);
    expect(text).toBe(planOllamaAnswer(chat).deltas.slice(0, FAULT_AFTER_DELTAS).join(''));
    expect(await closed).toMatchObject({ reason: 'fault', fault: 'drop', path: '/api/chat' });
  });

  it('[[fault:garbage]] is skipped by the client as invalid JSON, then the stream ends without done: an error', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { error } = await readUntilError(request('[[fault:garbage]]'));
    expect((error as Error).message).toBe('Did not receive done or success response in stream.');
    expect(warn).toHaveBeenCalledWith('invalid json: ', expect.stringContaining('"role":"assis'));
  });
});
