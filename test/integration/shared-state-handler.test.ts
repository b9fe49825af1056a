import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StreamHandlerDeps } from '../../api/_lib/handler.js';
import { MemoryStore } from '../../api/_lib/store/memory-store.js';
import type { ErrorBody } from '../../widget/shared/protocol.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf } from '../support/read-events.js';
import { startRedisHarness, uniquePrefix, type RedisHarness } from '../support/redis-harness.js';

/**
 * The handler on the shared store, through the production path: real HTTP servers on
 * 127.0.0.1 in front of the local upstream. The same behaviours run on two instances
 * (two servers, two handlers, two `@upstash/redis` clients) sharing one real Redis
 * through the Upstash REST translator, and on one instance with the memory store.
 */
let redis: RedisHarness;
beforeAll(async () => {
  redis = await startRedisHarness();
});
afterAll(async () => {
  await redis.stop();
});

// Windows are counted from Date: a real clock could cross a window boundary mid-test.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_800_000_001_000);
});
let open: TestApi[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all([...new Set(open)].map((api) => api.close()));
  open = [];
  expect(redis.downReports, 'store calls that found Redis down').toEqual([]);
});

/** In tests, who a client is comes from a header the test sets (a site would read a verified session). */
const byTestHeader: StreamHandlerDeps['identify'] = (request) => request.headers.get('x-test-client') ?? undefined;

interface Backend {
  name: string;
  /** Two instances of the API on one store: two on Redis, or the one memory instance twice. */
  instances(env: Record<string, string>, deps?: StreamHandlerDeps): Promise<[TestApi, TestApi]>;
}

const backends: Backend[] = [
  {
    name: 'two instances on one Redis',
    async instances(env, deps = { identify: byTestHeader }) {
      const prefix = uniquePrefix();
      // A store call slower than the bound counts as down, and the default policy then
      // admits: the bound is far above a round trip even when every core is busy, so these
      // tests see the limits, not the policy (shared-state-store-down.test.ts has that).
      const make = (): Promise<TestApi> => startTestApi(env, { deps: { ...deps, store: redis.store({ prefix, timeoutMs: 15_000 }) } });
      const pair = await Promise.all([make(), make()]);
      open.push(...pair);
      return pair;
    },
  },
  {
    name: 'one instance with the memory store',
    async instances(env, deps = { identify: byTestHeader }) {
      const api = await startTestApi(env, { deps: { ...deps, store: new MemoryStore() } });
      open.push(api);
      return [api, api];
    },
  },
];

/** A client's request: `who` is its test identity, or `{ forwardedFor }` behind a trusted proxy. */
function ask(api: TestApi, who: string | { forwardedFor: string }, content: string, extra: { maxTokens?: number; signal?: AbortSignal } = {}): Promise<Response> {
  const identity: Record<string, string> = typeof who === 'string' ? { 'x-test-client': who } : { 'x-forwarded-for': who.forwardedFor };
  const { signal, ...body } = extra;
  return postChat(
    api.endpoint,
    { messages: [{ role: 'user', content }], ...body },
    { headers: { 'content-type': 'application/json', ...identity }, ...(signal ? { signal } : {}) },
  );
}

function cancelBy(api: TestApi, who: string, id: string): Promise<Response> {
  return fetch(`${api.endpoint}?id=${encodeURIComponent(id)}`, { method: 'DELETE', headers: { 'x-test-client': who } });
}

/** Asks until the answer is admitted (a slot or a budget given back is seen a store round trip later). */
async function askUntilAdmitted(api: TestApi, who: string, content: string, extra: { maxTokens?: number; signal?: AbortSignal } = {}, timeoutMs = 10_000): Promise<Response> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const response = await ask(api, who, content, extra);
    if (response.status === 200) return response;
    const text = await response.text();
    if (response.status !== 429 || performance.now() > until) throw new Error(`not admitted: ${response.status} ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads a response until its first token, returning the rest as a promise of every event. */
function untilFirstToken(response: Response): { firstToken: Promise<void>; events: ReturnType<typeof readEvents> } {
  let seen: () => void = () => {};
  const firstToken = new Promise<void>((resolve) => (seen = resolve));
  const events = readEvents(response, ({ event }) => event.type === 'token' && seen());
  return { firstToken, events };
}

const SLOW = '[[pace:20,100]] [[length:2000]]';

describe.each(backends)('$name', (backend) => {
  it('a burst of 16 parallel requests from one client, split across both, admits exactly 10; the rest get 429 before any upstream call; another client is unaffected', async () => {
    // Two "clients" on 127.0.0.1, told apart by the address a trusted proxy forwards.
    const [a, b] = await backend.instances({ AI_STREAM_RATE_REQUESTS: '10/60s', AI_STREAM_TRUST_PROXY: '1' }, {});
    const client = { forwardedFor: '198.51.100.7' };
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => ask(i % 2 ? b : a, client, `burst ${i} [[length:3]]`)));
    const admitted = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 429);
    expect(admitted).toHaveLength(10);
    expect(refused).toHaveLength(6);
    for (const response of refused) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(response.headers.get('ratelimit-limit')).toBe('10');
      expect(response.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(0);
      const body = (await response.json()) as ErrorBody;
      expect(body.error).toMatchObject({ code: 'rate_limited', limit: 'requests', message: expect.stringContaining('at most 10 per 1 min') });
    }
    for (const response of admitted) expect((await readEvents(response)).at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop' });
    const upstreamRequests = [...new Set([a.upstream, b.upstream])].reduce((sum, upstream) => sum + upstream.stats.totalRequests, 0);
    expect(upstreamRequests).toBe(10);

    const other = { forwardedFor: '198.51.100.8' };
    const first = await ask(a, other, 'another client [[length:3]]');
    const second = await ask(b, other, 'another client [[length:3]]');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.headers.get('ratelimit-remaining'), second.headers.get('ratelimit-remaining')]).toEqual(['9', '8']);
    await Promise.all([readEvents(first), readEvents(second)]);
  });

  it('the concurrent-stream cap holds across instances, another client is unaffected, and a stream that ends frees its slot', async () => {
    // Resume off: the aborted client ends its answer at once (with resume on it runs on for the grace).
    const [a, b] = await backend.instances({ AI_STREAM_RATE_STREAMS: '2', AI_STREAM_RESUME: 'off' });
    const first = new AbortController();
    const running = [await ask(a, 'carol', `one ${SLOW}`, { signal: first.signal }), await ask(b, 'carol', `two ${SLOW}`)];
    expect(running.map((r) => r.status)).toEqual([200, 200]);
    const third = await Promise.all([ask(a, 'carol', 'three [[length:3]]'), ask(b, 'carol', 'three [[length:3]]')]);
    for (const response of third) {
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'rate_limited', limit: 'streams' });
    }
    const other = await ask(b, 'dave', 'theirs [[length:3]]');
    expect(other.status).toBe(200);
    await readEvents(other);

    // Carol closes her first answer: its slot comes back, on whichever instance she asks next.
    first.abort();
    await readEvents(running[0] as Response).catch(() => undefined);
    const next = await askUntilAdmitted(b, 'carol', 'after one ended [[length:3]]');
    expect((await readEvents(next)).at(-1)?.event).toMatchObject({ type: 'done' });
    await running[1]?.body?.cancel();
  });

  it('the token budget holds across instances: of 4 parallel requests that each reserve prompt + maxTokens, exactly 1 fits; once it is settled with its real usage, the next fits', async () => {
    // Each reserves its prompt (about 15 tokens) plus 400; the budget holds one such at a time.
    const [a, b] = await backend.instances({ AI_STREAM_RATE_TOKENS: '600/1h' });
    const content = (i: number): string => `budget ${i} [[pace:20,100]] [[length:30]]`;
    const burst = await Promise.all(Array.from({ length: 4 }, (_, i) => ask(i % 2 ? b : a, 'erin', content(i), { maxTokens: 400 })));
    const admitted = burst.filter((r) => r.status === 200);
    expect(admitted).toHaveLength(1);
    for (const response of burst.filter((r) => r.status !== 200)) {
      expect(response.status).toBe(429);
      expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'rate_limited', limit: 'tokens' });
    }
    const done = (await readEvents(admitted[0] as Response)).at(-1)?.event;
    expect(done).toMatchObject({ type: 'done', finishReason: 'stop' });
    if (done?.type !== 'done') return;
    // The answer used far less than it reserved: about 45 of 415.
    expect(done.usage.totalTokens).toBeLessThan(100);

    // Settled with the real usage, the budget has room for one more reservation, on the other instance...
    const second = await askUntilAdmitted(b, 'erin', content(5), { maxTokens: 400 });
    const { firstToken, events } = untilFirstToken(second);
    await firstToken;
    // ...and for no more while it runs: a settlement counted twice would have made room.
    const third = await ask(a, 'erin', content(6), { maxTokens: 400 });
    expect(third.status).toBe(429);
    await third.text();
    expect((await events).at(-1)?.event).toMatchObject({ type: 'done' });
    // Another client has its own budget.
    const other = await ask(a, 'frank', content(7), { maxTokens: 400 });
    expect(other.status).toBe(200);
    await readEvents(other);
  });

  it('an answer that ends by an error, or by its client leaving, gives back its slot and settles its reservation', async () => {
    // One stream at a time, and a budget for one reservation of prompt + 400 at a time.
    // Resume off: a client leaving then ends the answer at once (with resume on it runs
    // on for the grace, holding its slot; resume.test.ts covers that).
    const [a, b] = await backend.instances({ AI_STREAM_RATE_STREAMS: '1', AI_STREAM_RATE_TOKENS: '600/1h', AI_STREAM_RESUME: 'off' });
    const failing = await ask(a, 'kim', 'fails midway [[fault:error-mid]] [[length:40]]', { maxTokens: 400 });
    expect(failing.status).toBe(200);
    expect((await readEvents(failing)).at(-1)?.event).toMatchObject({ type: 'error' });

    const leaving = new AbortController();
    const left = await askUntilAdmitted(b, 'kim', `after the error ${SLOW}`, { maxTokens: 400, signal: leaving.signal });
    const { firstToken, events } = untilFirstToken(left);
    await firstToken;
    // While it runs, both limits are held: a second answer is refused by one of them.
    const meanwhile = await ask(a, 'kim', 'meanwhile [[length:3]]', { maxTokens: 400 });
    expect(meanwhile.status).toBe(429);
    await meanwhile.text();
    leaving.abort();
    await events.catch(() => undefined);

    const next = await askUntilAdmitted(a, 'kim', 'after the client left [[length:3]]', { maxTokens: 400 });
    expect((await readEvents(next)).at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop' });
  });

  it('DELETE on the other instance stops the stream: 204, the upstream closed within the bound, done/cancelled with the usage so far', async () => {
    const [a, b] = await backend.instances({});
    const response = await ask(a, 'gina', `cancel me from elsewhere ${SLOW}`);
    const id = response.headers.get('x-stream-id') ?? '';
    const closed = a.upstream.stats.nextStreamClosed();
    let deleted: Promise<Response> | undefined;
    let deletedAt = 0;
    const events = await readEvents(response, ({ event }) => {
      if (event.type !== 'token' || deleted) return;
      deletedAt = performance.now();
      deleted = cancelBy(b, 'gina', id);
    });
    expect((await deleted)?.status).toBe(204);
    const upstreamClosed = await closed;
    expect(upstreamClosed.reason).toBe('client-aborted');
    // Loose on purpose (a shared two-core machine): the poll is every 250 ms; an answer
    // left running would take 20 s.
    expect(upstreamClosed.at - deletedAt, 'DELETE to upstream close').toBeLessThan(1_500);
    const last = events.at(-1)?.event;
    expect(last).toMatchObject({ type: 'done', finishReason: 'cancelled' });
    if (last?.type === 'done') expect(last.usage.completionTokens).toBeGreaterThan(0);
    expect(a.handler.registry.size).toBe(0);
  });

  it("another client's DELETE gets 404 and the stream goes on; a malformed or unknown id is 404", async () => {
    // Resume off: no event-log append may still be on its way when the store calls are counted.
    const [a, b] = await backend.instances({ AI_STREAM_RESUME: 'off' });
    const response = await ask(a, 'hana', 'not yours to stop [[pace:20,200]] [[length:200]]');
    const id = response.headers.get('x-stream-id') ?? '';
    let refused: Promise<Response> | undefined;
    let tokensAfterRefusal = 0;
    let refusalSeen = false;
    const events = await readEvents(response, ({ event }) => {
      if (event.type !== 'token') return;
      if (refusalSeen) tokensAfterRefusal++;
      refused ??= cancelBy(b, 'mallory', id).then((r) => ((refusalSeen = true), r));
    });
    const answer = await refused;
    expect(answer?.status).toBe(404);
    expect(await answer?.json()).toEqual({ error: { code: 'not_found', message: 'No such stream is running.' } });
    expect(events.at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(tokensAfterRefusal, 'tokens after the refused DELETE').toBeGreaterThan(0);
    expect(textOf(events).length).toBeGreaterThan(0);

    const restBefore = redis.rest.stats.requests;
    expect((await cancelBy(b, 'hana', 'not-a-stream-id')).status).toBe(404);
    expect(redis.rest.stats.requests - restBefore, 'store calls for a malformed id').toBe(0);
    expect((await cancelBy(b, 'hana', crypto.randomUUID())).status).toBe(404);
  });
});
