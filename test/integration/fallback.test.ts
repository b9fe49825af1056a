import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf, type ReceivedEvent } from '../support/read-events.js';

// An alias with a fallback chain: Anthropic first, OpenAI when Anthropic fails before
// its first token (after its own retries). Both are the local upstream's real routes.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({
    AI_STREAM_MODELS: 'chain=anthropic:claude-haiku-4-5|openai:gpt-4o-mini, solo=anthropic:claude-haiku-4-5',
    AI_STREAM_MAX_RETRIES: '1',
    AI_STREAM_COALESCE_MS: '0',
  });
});
afterAll(() => api?.close());

async function ask(model: string, content: string): Promise<{ events: ReceivedEvent[]; paths: string[] }> {
  const before = api.upstream.stats.requests.length;
  const response = await postChat(api.endpoint, { model, messages: [{ role: 'user', content }] });
  expect(response.status).toBe(200);
  const events = await readEvents(response);
  return { events, paths: api.upstream.stats.requests.slice(before).map((r) => r.path.split('?')[0] ?? '') };
}

describe('fallback chains', () => {
  it('a provider that answers 529 through all its retries hands over to the next, which streams one clean answer', async () => {
    const { events, paths } = await ask('chain', 'Tell me about tides [[fault:529:2]] [[length:30]]');
    expect(paths).toEqual(['/v1/messages', '/v1/messages', '/v1/chat/completions']);
    const retries = events.filter((e) => e.event.type === 'retry').map((e) => e.event);
    expect(retries).toHaveLength(2);
    expect(retries[0]).not.toHaveProperty('provider');
    expect(retries[1]).toMatchObject({ type: 'retry', delayMs: 0, provider: 'openai' });
    const types = events.map((e) => e.event.type);
    // Nothing of a failed provider reached the client: every token comes after the last retry.
    expect(types.indexOf('token')).toBeGreaterThan(types.lastIndexOf('retry'));
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop', usage: { completionTokens: 30, source: 'provider' } });
    expect(textOf(events).length).toBeGreaterThan(0);
    const fallbackLog = api.logs.filter((l) => l.event === 'retry').at(-1);
    expect(String(fallbackLog?.detail)).not.toContain('sk-test');
  });

  it('never falls back once text reached the client', async () => {
    const { events, paths } = await ask('chain', 'Tell me about the moon [[fault:drop]] [[length:40]]');
    expect(paths).toEqual(['/v1/messages']);
    expect(events.map((e) => e.event.type)).not.toContain('retry');
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_error' });
  });

  it('an alias without a chain fails after its own retries', async () => {
    const { events, paths } = await ask('solo', 'Tell me about the sea [[fault:529:2]] [[length:30]]');
    expect(paths).toEqual(['/v1/messages', '/v1/messages']);
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'upstream_unavailable', retryable: true });
  });
});
