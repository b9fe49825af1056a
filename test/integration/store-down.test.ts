import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRateLimitConfig } from '../../api/_lib/rate-limit/rate-limit-config.js';
import { rateLimitResponse } from '../../api/_lib/rate-limit/rate-limit-response.js';
import { createRateLimits } from '../../api/_lib/rate-limit/rate-limits.js';
import type { SharedStore, StoreResult } from '../../api/_lib/store/shared-store.js';
import { eventually, startRedisHarness, type RedisHarness } from '../support/redis-harness.js';
import { startRedisServer } from '../support/redis-server.js';

/** Every operation once, as the features would call them. */
function everyOperation(store: SharedStore): Array<[string, () => Promise<StoreResult<unknown>>]> {
  return [
    ['claimStream', () => store.claimStream('s', 'ip:203.0.113.5', 60_000)],
    ['ownerOf', () => store.ownerOf('s')],
    ['requestCancel', () => store.requestCancel('s')],
    ['cancelledAmong', () => store.cancelledAmong(['s', 't'])],
    ['appendEvents', () => store.appendEvents('s', 0, ['data: {"type":"token","content":"a secret prompt"}\n\n'], 60_000)],
    ['markEnded', () => store.markEnded('s')],
    ['readEvents', () => store.readEvents('s', -1)],
    ['hitWindow', () => store.hitWindow('c', 5, 60_000)],
    ['reserveBudget', () => store.reserveBudget('c', 10, 100, 60_000)],
    ['settleBudget', () => store.settleBudget('c', 1, -5)],
    ['acquireSlot', () => store.acquireSlot('c', 's', 2, 60_000)],
    ['releaseSlot', () => store.releaseSlot('c', 's')],
  ];
}

/** Runs every operation; each must come back "down" within the bound (generous: only a hang or the client's 4 s of retries exceeds it). */
async function expectAllDown(store: SharedStore, cause: string, boundMs: number): Promise<void> {
  for (const [op, run] of everyOperation(store)) {
    const started = performance.now();
    const result = await run();
    const elapsed = performance.now() - started;
    expect(result, op).toEqual({ ok: false, reason: 'store_down', cause });
    expect(elapsed, `${op} took ${elapsed.toFixed(0)} ms`).toBeLessThan(boundMs + 1_500);
  }
}

function listen<T extends HttpServer | TcpServer>(server: T): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

let redis: RedisHarness;
beforeAll(async () => {
  redis = await startRedisHarness();
});
afterAll(async () => {
  await redis.stop();
});

describe('a store that is down', () => {
  it('Redis stopped mid-test: every call completes within the bound as "down", with a log line that names no key or value', async () => {
    // The harness's bound (3 s): a cold first request on a loaded machine can take over 1 s.
    const store = redis.store();
    expect(await store.claimStream('before', 'me', 60_000)).toEqual({ ok: true, value: true });
    await redis.server.stop();
    redis.downReports.length = 0;
    await expectAllDown(store, 'error', 3_000);
    expect(redis.downReports.map((r) => r.op)).toEqual(everyOperation(store).map(([op]) => op));
    expect(redis.downReports.every((r) => r.cause === 'error')).toBe(true);
    const logged = JSON.stringify(redis.downReports);
    expect(logged).not.toContain('secret');
    expect(logged).not.toContain(redis.rest.token);
    expect(logged).not.toContain('203.0.113.5');
  });

  it('Redis back after an outage: the same store instance works again, no restart of the function needed', async () => {
    const own = await startRedisHarness();
    try {
      const store = own.store({ timeoutMs: 1_000 });
      expect(await store.requestCancel('s')).toEqual({ ok: true, value: undefined });
      await own.server.stop();
      expect(await store.cancelledAmong(['s'])).toMatchObject({ ok: false, reason: 'store_down' });
      const restarted = await startRedisServer({ port: own.server.port });
      try {
        // Nothing persisted (no RDB, no AOF): the flag is gone, and the store answers again.
        await eventually(() => store.cancelledAmong(['s']), (r) => r.ok, 'the store to answer again');
        expect(await store.claimStream('after', 'me', 60_000)).toEqual({ ok: true, value: true });
        expect(await store.hitWindow('c', 5, 60_000)).toMatchObject({ ok: true, value: { success: true, remaining: 4 } });
      } finally {
        await restarted.stop();
      }
    } finally {
      await own.rest.close();
    }
  });

  it('the REST front unreachable: every call is "down" (unreachable) within the bound', async () => {
    const closed = createTcpServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    await expectAllDown(redis.store({ url, timeoutMs: 1_000 }), 'unreachable', 1_000);
  });

  it('a front that accepts and never answers: every call is "down" (timeout) at the bound, not a hang', async () => {
    const silent = createHttpServer(() => {});
    const url = await listen(silent);
    try {
      await expectAllDown(redis.store({ url, timeoutMs: 300 }), 'timeout', 300);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("the client's own retries are bounded: a front that drops every connection sees at most 2 attempts per call", async () => {
    let connections = 0;
    const dropper = createTcpServer((socket) => {
      connections++;
      socket.destroy();
    });
    const url = await listen(dropper);
    try {
      const store = redis.store({ url, timeoutMs: 1_000 });
      expect(await store.ownerOf('s')).toMatchObject({ ok: false, reason: 'store_down', cause: 'unreachable' });
      expect(connections).toBeGreaterThanOrEqual(1);
      expect(connections).toBeLessThanOrEqual(2);
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
    }
  });

  it('rate limits apply their policy: open admits (marked storeDown), closed refuses with a 503', async () => {
    const closed = createTcpServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const env = { AI_STREAM_RATE_REQUESTS: '5/60s', AI_STREAM_RATE_STREAMS: '1', AI_STREAM_RATE_TOKENS: '100/1h' };
    const open = createRateLimits(redis.store({ url }), loadRateLimitConfig(env));
    expect(await open.requests?.check('ip:203.0.113.5')).toMatchObject({ success: true, reason: 'requests', storeDown: true });
    expect(await open.streams?.acquire('ip:203.0.113.5', 's')).toMatchObject({ success: true, reason: 'streams', storeDown: true });
    const reserved = await open.tokens?.reserve('ip:203.0.113.5', 50);
    expect(reserved).toEqual({ decision: expect.objectContaining({ success: true, storeDown: true }) });

    const shut = createRateLimits(redis.store({ url }), loadRateLimitConfig({ ...env, AI_STREAM_RATE_ON_STORE_DOWN: 'closed' }));
    const refused = await shut.requests?.check('ip:203.0.113.5');
    expect(refused).toMatchObject({ success: false, reason: 'requests', storeDown: true });
    if (!refused) throw new Error('requests limit is on');
    const response = rateLimitResponse(refused);
    expect(response.status).toBe(503);
    expect(response.headers.get('Retry-After')).toBe('1');
    expect(await response.json()).toEqual({ error: { code: 'internal_error', message: 'Usage limits cannot be checked right now. Try again shortly.' } });
  });
});
