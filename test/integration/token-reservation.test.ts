import { afterEach, describe, expect, it } from 'vitest';
import { chatTokensUpperBound, countChatTokens } from '../../api/_lib/counting/tokenizer.js';
import { MemoryStore } from '../../api/_lib/store/memory-store.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents } from '../support/read-events.js';

/** A memory store that remembers every amount a token budget asked it to reserve. */
class ReservationLog extends MemoryStore {
  readonly reserved: number[] = [];

  override reserveBudget(...args: Parameters<MemoryStore['reserveBudget']>): ReturnType<MemoryStore['reserveBudget']> {
    this.reserved.push(args[1]);
    return super.reserveBudget(...args);
  }
}

/**
 * A token budget reserves the prompt's byte bound plus maxTokens, which needs no
 * tokenizer before the upstream call (issue 14); the prompt is counted exactly only
 * when the budget refuses the bound.
 */
describe('the token reservation', () => {
  let api: TestApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  const content = 'How do streaming chat servers keep their keys away from the browser? [[length:5]]';
  const messages = [{ role: 'user', content }];
  const maxTokens = 100;

  const answer = async (budget: string, store: ReservationLog): Promise<Response> => {
    api = await startTestApi({ AI_STREAM_RATE_TOKENS: budget }, { deps: { store } });
    return postChat(api.endpoint, { messages, maxTokens });
  };

  it('holds the prompt\'s byte bound while the answer runs, without counting it first', async () => {
    const store = new ReservationLog();
    const response = await answer('100000/1h', store);
    expect(response.status).toBe(200);
    expect(store.reserved).toEqual([chatTokensUpperBound(messages) + maxTokens]);
    expect((await readEvents(response)).at(-1)?.event).toMatchObject({ type: 'done' });
  });

  it('counts the prompt exactly when the budget refuses the bound, and admits what fits', async () => {
    const exact = (await countChatTokens(messages)) + maxTokens;
    const bound = chatTokensUpperBound(messages) + maxTokens;
    expect(exact).toBeLessThan(bound);
    const store = new ReservationLog();
    // Room for the exact count, not for the bound.
    const response = await answer(`${exact}/1h`, store);
    expect(response.status).toBe(200);
    expect(store.reserved).toEqual([bound, exact]);
    expect((await readEvents(response)).at(-1)?.event).toMatchObject({ type: 'done' });
  });

  it('refuses, with limit "tokens", what even the exact count does not fit', async () => {
    const exact = (await countChatTokens(messages)) + maxTokens;
    const store = new ReservationLog();
    const response = await answer(`${exact - 1}/1h`, store);
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ error: { code: 'rate_limited', limit: 'tokens' } });
    expect(store.reserved).toEqual([chatTokensUpperBound(messages) + maxTokens, exact]);
    // Nothing reached the upstream.
    expect(api?.upstream.stats.requests).toEqual([]);
  });
});
