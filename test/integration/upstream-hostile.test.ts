import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planOpenAIChatAnswer } from '../../demo/upstream/server.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { askHostile, hostileMessage } from '../support/hostile-upstream.js';
import { textOf } from '../support/read-events.js';

// What a provider that breaks the rules gets from the server: each answer ends with a
// plain event, the upstream is closed, nothing is retried that would be billed again.

describe('a hostile upstream, end to end', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ AI_STREAM_MAX_RETRIES: '3' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('bare-CR framing: the whole answer and done, no lost-connection error', async () => {
    const { events } = await askHostile(api, 'bare-cr');
    const messages = [{ role: 'user' as const, content: hostileMessage('bare-cr') }];
    expect(textOf(events)).toBe(planOpenAIChatAnswer({ model: 'gpt-4o-mini', messages, max_tokens: 4096, stream: true }).text);
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop', usage: { source: 'provider' } });
  });

  for (const [fault, type] of [
    ['html-200', 'text/html'],
    ['json-200', 'application/json'],
  ] as const) {
    it(`a 200 that is not an event stream (${type}) is not retried and says what happened`, async () => {
      const before = api.upstream.stats.totalRequests;
      const { events } = await askHostile(api, fault);
      expect(events.map((e) => e.event.type)).toEqual(['start', 'error']);
      expect(events.at(-1)?.event).toMatchObject({
        code: 'upstream_error',
        message: 'The model provider did not answer with a stream; the answer was not used.',
        retryable: false,
      });
      expect(api.upstream.stats.totalRequests - before).toBe(1);
      expect(api.logs.findLast((l) => l.event === 'error')?.detail).toMatch(new RegExp(`upstream 200 with content-type ${type}, not text/event-stream \\(request req_[0-9a-f]{32}\\)`));
    });
  }

  it('an upstream that ignores max_tokens is stopped soon after the bound: length, estimated usage, upstream closed', async () => {
    const { events, closed } = await askHostile(api, 'ignore-max-tokens', { maxTokens: 20 });
    const text = textOf(events);
    // 20 tokens plus the margin (62 by our count) is a few hundred characters; it was 21,660.
    expect(text.length).toBeGreaterThan(20);
    expect(text.length).toBeLessThan(1_000);
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'length', usage: { source: 'estimate' } });
    expect(closed.reason).toBe('client-aborted');
    expect(api.logs.findLast((l) => l.event === 'done')?.stoppedAt).toBe('output past 62 tokens (maxTokens 20)');
  });

  it('impossible usage from the provider is replaced by the estimate, and logged', async () => {
    const { events } = await askHostile(api, 'impossible-usage', { maxTokens: 50 });
    const done = events.at(-1)?.event;
    expect(done).toMatchObject({ type: 'done', usage: { source: 'estimate' } });
    if (done?.type !== 'done') return;
    expect(done.usage.promptTokens).toBeGreaterThan(0);
    expect(done.usage.completionTokens).toBeGreaterThan(0);
    expect(done.usage.completionTokens).toBeLessThan(100);
    expect(api.logs.findLast((l) => l.event === 'done')?.providerUsageRejected).toBe('prompt_tokens -7, completion_tokens 1000000000000000');
  });

  it('plausible usage from the provider is still passed on as the provider\'s', async () => {
    const { events } = await askHostile(api, 'bare-cr', { maxTokens: 50 });
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'length', usage: { source: 'provider', completionTokens: 50 } });
  });
});
