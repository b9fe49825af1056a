import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StreamHandlerDeps } from '../../api/_lib/handler.js';
import type { ErrorBody } from '../../widget/shared/protocol.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents } from '../support/read-events.js';
import { startRedisHarness, uniquePrefix, type RedisHarness } from '../support/redis-harness.js';

/**
 * Redis stopped under two running instances: the configured policy decides, every
 * request completes or fails cleanly within the store's bound, nothing hangs, the
 * process stays up (docs/shared-state.md, "When the store is down").
 */
let redis: RedisHarness;
let apis: TestApi[] = [];
beforeEach(async () => {
  redis = await startRedisHarness();
});
afterEach(async () => {
  await Promise.all(apis.map((api) => api.close()));
  apis = [];
  await redis.stop();
});

/** Down after this long; short, so the test does not wait on it. */
const STORE_TIMEOUT_MS = 500;
/** Generous: a request that waited on a hung store, or on a retry loop, would pass it. */
const REQUEST_BOUND_MS = 8_000;
const LIMITS = { AI_STREAM_RATE_REQUESTS: '100/60s', AI_STREAM_RATE_STREAMS: '5', AI_STREAM_RATE_TOKENS: '100000/1h' };

async function twoInstances(env: Record<string, string>): Promise<[TestApi, TestApi]> {
  const prefix = uniquePrefix();
  const deps = (): StreamHandlerDeps => ({
    identify: (request) => request.headers.get('x-test-client') ?? undefined,
    store: redis.store({ prefix, timeoutMs: STORE_TIMEOUT_MS }),
  });
  const pair = await Promise.all([startTestApi({ ...LIMITS, ...env }, { deps: deps() }), startTestApi({ ...LIMITS, ...env }, { deps: deps() })]);
  apis.push(...pair);
  return pair;
}

function ask(api: TestApi, who: string, content: string): Promise<Response> {
  return postChat(api.endpoint, { messages: [{ role: 'user', content }] }, { headers: { 'content-type': 'application/json', 'x-test-client': who } });
}

/** Runs `request` and returns its response with how long it took to answer. */
async function timed(request: () => Promise<Response>): Promise<{ response: Response; ms: number }> {
  const started = performance.now();
  const response = await request();
  return { response, ms: performance.now() - started };
}

describe('Redis stopped mid-test', () => {
  it('fails open by default: new answers on either instance are served and complete, a running one completes, a cross-instance DELETE is a clean 503', async () => {
    const [a, b] = await twoInstances({});
    const running = await ask(a, 'ivy', 'running when Redis stops [[pace:20,100]] [[length:150]]');
    expect(running.status).toBe(200);
    const id = running.headers.get('x-stream-id') ?? '';
    let stopped: Promise<void> | undefined;
    const runningEvents = readEvents(running, ({ event }) => {
      if (event.type === 'token') stopped ??= redis.server.stop();
    });
    await new Promise<void>((resolve) => {
      const check = (): void => void (stopped ? stopped.then(resolve) : setTimeout(check, 5));
      check();
    });

    for (const api of [a, b]) {
      const { response, ms } = await timed(() => ask(api, 'ivy', 'asked while Redis is down [[length:5]]'));
      expect(response.status).toBe(200);
      expect(ms, 'time to the response headers').toBeLessThan(REQUEST_BOUND_MS);
      expect((await readEvents(response)).at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop' });
    }
    const cancel = await timed(() => fetch(`${b.endpoint}?id=${id}`, { method: 'DELETE', headers: { 'x-test-client': 'ivy' } }));
    expect(cancel.response.status).toBe(503);
    expect(((await cancel.response.json()) as ErrorBody).error.code).toBe('internal_error');
    expect(cancel.ms).toBeLessThan(REQUEST_BOUND_MS);

    // The running answer went on while its instance's cancel polls and its release found the store down.
    expect((await runningEvents).at(-1)?.event).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(a.logs.filter((l) => l.event === 'limit_unchecked')).toContainEqual(expect.objectContaining({ policy: 'open', admitted: true }));
    expect(redis.downReports.map((r) => r.op)).toEqual(expect.arrayContaining(['hitWindow', 'acquireSlot', 'reserveBudget', 'ownerOf']));
  });

  it('AI_STREAM_RATE_ON_STORE_DOWN=closed refuses new answers with a 503 and Retry-After, before any upstream call', async () => {
    const [a, b] = await twoInstances({ AI_STREAM_RATE_ON_STORE_DOWN: 'closed' });
    const before = await ask(a, 'jo', 'while Redis is up [[length:5]]');
    expect(before.status).toBe(200);
    await readEvents(before);
    await redis.server.stop();
    const upstreamCalls = a.upstream.stats.totalRequests + b.upstream.stats.totalRequests;
    for (const api of [a, b]) {
      const { response, ms } = await timed(() => ask(api, 'jo', 'asked while Redis is down [[length:5]]'));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await response.json()).toEqual({ error: { code: 'internal_error', message: 'Usage limits cannot be checked right now. Try again shortly.' } });
      expect(ms).toBeLessThan(REQUEST_BOUND_MS);
    }
    expect(a.upstream.stats.totalRequests + b.upstream.stats.totalRequests).toBe(upstreamCalls);
    expect(b.logs).toContainEqual(expect.objectContaining({ event: 'limit_unchecked', policy: 'closed', admitted: false }));
  });
});
