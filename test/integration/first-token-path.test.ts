import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../api/_lib/config/config.js';
import { createStreamHandler } from '../../api/_lib/handler.js';
import { silentLogger } from '../../api/_lib/ops/log.js';
import { localProviderEnv } from '../../demo/upstream/provider-env.js';
import { startUpstream, type LocalUpstream } from '../../demo/upstream/server.js';
import { waitFor } from '../support/read-events.js';

/** Every step of the test, in the order it happened. */
const order: string[] = [];

// The prompt's count is real (the shared tokenizer); the test only notes when it is asked for.
vi.mock('../../api/_lib/counting/tokenizer.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../api/_lib/counting/tokenizer.js')>();
  return {
    ...real,
    countChatTokens: (...args: Parameters<typeof real.countChatTokens>) => {
      order.push('prompt counted');
      return real.countChatTokens(...args);
    },
  };
});

/**
 * What runs between the first token's arrival and its bytes leaving. Counting the
 * prompt there (tokenizing it on this thread) delayed the first token by about 0.5 ms
 * on a cold process (issue 14): the count is needed for the metadata event, not for the
 * token, so it waits for the turn after.
 */
describe('the first token path', () => {
  let upstream: LocalUpstream;
  beforeAll(async () => {
    upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('hands the first token to the response body before the prompt is counted', async () => {
    const handler = createStreamHandler(loadConfig(localProviderEnv(upstream, 'sk-test')), { log: silentLogger });
    const response = await handler(
      new Request('http://127.0.0.1/api/chat/stream', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Count this prompt later, please. [[length:4]]' }] }),
      }),
    );
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!received.includes('"type":"token"') && value.includes('"type":"token"')) order.push('first token read');
      received += value;
    }
    expect(received).toContain('"type":"done"');
    await waitFor(() => order.includes('prompt counted'), 5_000, 'the prompt count');
    expect(order.slice(0, 2)).toEqual(['first token read', 'prompt counted']);
    // The count still reaches the answer: the usage at the end is the provider's or ours, never missing.
    expect(received).toMatch(/"promptTokens":\d+/);
  });
});
