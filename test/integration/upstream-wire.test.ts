import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_AFTER_DELTAS, planOpenAIChatAnswer, startUpstream } from '../../demo/upstream/server.js';
import type { LocalUpstream } from '../../demo/upstream/server.js';

// Byte-level checks with node:http, below any SSE parser: what is on the wire must be
// OpenAI's framing exactly, since adapters and SDKs are written against it.

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

let upstream: LocalUpstream;

beforeAll(async () => {
  upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
});

afterAll(async () => {
  await upstream.close();
});

function send(method: string, path: string, body: string | undefined, headers: Record<string, string> = { authorization: 'Bearer test' }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${upstream.origin}${path}`, { method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function chat(body: unknown, headers?: Record<string, string>): Promise<RawResponse> {
  return send('POST', '/v1/chat/completions', JSON.stringify(body), headers);
}

function ask(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true, ...extra };
}

function dataLines(body: string): string[] {
  return body.split('\n\n').filter((frame) => frame !== '').map((frame) => frame.replace(/^data: /, ''));
}

function expectOpenAIError(response: RawResponse, status: number, param: string | null): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  const parsed = JSON.parse(response.body) as { error: Record<string, unknown> };
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(parsed.error['type']).toBe('invalid_request_error');
  expect(parsed.error['param']).toBe(param);
  expect(typeof parsed.error['message']).toBe('string');
}

describe('local upstream wire format', () => {
  it('frames every chunk as "data: <json>\\n\\n" and ends with "data: [DONE]\\n\\n"', async () => {
    const response = await chat(ask('Framing [[length:30]]', { stream_options: { include_usage: true } }));
    expect(response.status).toBe(200);
    expect(response.body).toMatch(/^(data: \{[^\n]*\}\n\n)+data: \[DONE\]\n\n$/);
    expect(response.body).not.toContain('event:');
    expect(response.body).not.toContain('\r');
    const lines = dataLines(response.body);
    expect(lines.at(-1)).toBe('[DONE]');
    const chunks = lines.slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
    // role chunk + 30 deltas + finish chunk + usage chunk
    expect(chunks).toHaveLength(33);
    expect(Object.keys(chunks[1] ?? {})).toEqual(['id', 'object', 'created', 'model', 'service_tier', 'system_fingerprint', 'choices', 'usage', 'obfuscation']);
  });

  it('sends OpenAI\'s streaming headers', async () => {
    const response = await chat(ask('Headers [[length:2]]'));
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['x-request-id']).toMatch(/^req_[0-9a-f]{32}$/);
    expect(response.headers['openai-version']).toBe('2020-10-01');
    expect(response.headers['transfer-encoding']).toBe('chunked');
  });

  it('omits obfuscation when include_obfuscation is false, and usage without include_usage', async () => {
    const response = await chat(ask('Lean [[length:3]]', { stream_options: { include_obfuscation: false } }));
    const first = JSON.parse(dataLines(response.body)[0] ?? '{}') as Record<string, unknown>;
    expect(first).not.toHaveProperty('obfuscation');
    expect(first).not.toHaveProperty('usage');
  });

  it('error-mid: content deltas, then a data line with a top-level error, then [DONE]', async () => {
    const response = await chat(ask('Mid [[fault:error-mid]]'));
    const lines = dataLines(response.body);
    expect(lines).toHaveLength(1 + FAULT_AFTER_DELTAS + 2);
    expect(JSON.parse(lines.at(-2) ?? '{}')).toEqual({
      error: { message: expect.any(String) as string, type: 'server_error', param: null, code: null },
    });
    expect(lines.at(-1)).toBe('[DONE]');
  });

  it('error-first: a 200 whose first data line is the error', async () => {
    const response = await chat(ask('[[fault:error-first]]'));
    expect(response.status).toBe(200);
    const lines = dataLines(response.body);
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '{}')).toHaveProperty('error.type', 'server_error');
  });

  it('garbage: a 200 whose data line is not JSON', async () => {
    const response = await chat(ask('[[fault:garbage]]'));
    expect(response.status).toBe(200);
    const [line] = dataLines(response.body);
    expect(() => JSON.parse(line ?? '') as unknown).toThrow(SyntaxError);
  });

  it('answers a whole chat.completion when stream is absent', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Whole [[length:9]]' }] };
    const response = await chat(body);
    expect(response.headers['content-type']).toBe('application/json');
    const completion = JSON.parse(response.body) as { object: string; choices: Array<{ message: { content: string } }> };
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]?.message.content).toBe(planOpenAIChatAnswer(body).text);
  });

  it('401 without a bearer token, in OpenAI\'s error shape', async () => {
    expectOpenAIError(await chat(ask('hi'), {}), 401, null);
  });

  it('400 for a missing messages array, naming the parameter', async () => {
    const response = await chat({ model: 'gpt-4o-mini', stream: true });
    expectOpenAIError(response, 400, 'messages');
    expect(JSON.parse(response.body)).toHaveProperty('error.code', 'missing_required_parameter');
  });

  it.each([
    ['not JSON at all', '{"model":'],
    ['a JSON array', '[1,2]'],
    ['messages of the wrong type', '{"model":"m","messages":"hi"}'],
    ['an empty messages array', '{"model":"m","messages":[]}'],
    ['a message without a role', '{"model":"m","messages":[null]}'],
    ['no model', '{"messages":[{"role":"user","content":"x"}]}'],
    ['max_tokens of 0', '{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0}'],
    ['json_schema without its schema', '{"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema"}}'],
  ])('400 for %s, and the server keeps serving', async (_name, body) => {
    const response = await send('POST', '/v1/chat/completions', body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toHaveProperty('error.type', 'invalid_request_error');
    expect((await chat(ask('still alive [[length:2]]'))).status).toBe(200);
  });

  it('404 with "Invalid URL" for an unknown path', async () => {
    const response = await send('POST', '/v1/nope', '{}');
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body)).toHaveProperty('error.message', 'Invalid URL (POST /v1/nope)');
  });

  it('413 for a body over 1 MiB', async () => {
    const huge = JSON.stringify(ask('x'.repeat(1024 * 1024 + 10)));
    const response = await send('POST', '/v1/chat/completions', huge);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toHaveProperty('error.type', 'invalid_request_error');
  });

  it('lists models on GET /v1/models', async () => {
    const response = await send('GET', '/v1/models', undefined);
    expect(JSON.parse(response.body)).toMatchObject({ object: 'list', data: expect.arrayContaining([expect.objectContaining({ id: 'gpt-4o-mini' })]) as unknown });
  });

  it('records every request for tests that check what was forwarded', async () => {
    const before = upstream.stats.totalRequests;
    await chat(ask('Recorded [[length:1]]', { max_tokens: 77 }));
    expect(upstream.stats.totalRequests).toBe(before + 1);
    expect(upstream.stats.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { max_tokens: 77 } });
  });
});
