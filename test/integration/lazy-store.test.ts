import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../api/_lib/store/create-store.js';
import type { StoreDownReport } from '../../api/_lib/store/store-call.js';
import { startRedisHarness, uniquePrefix, type RedisHarness } from '../support/redis-harness.js';

// The store as a deployment gets it (createStore from the environment's config): the
// Upstash packages load with its first call. Against the real redis-server behind the
// Upstash REST translator.
describe('createStore with Redis: the client loads on the first call', () => {
  let harness: RedisHarness;
  beforeAll(async () => {
    harness = await startRedisHarness();
  });
  afterAll(async () => {
    await harness.stop();
  });

  it('serves every kind of call once loaded: ownership, cancel flags, the event log and a rate-limit window', async () => {
    const config = { kind: 'redis' as const, url: harness.rest.url, token: harness.rest.token, timeoutMs: 3_000, prefix: uniquePrefix() };
    const a = createStore(config);
    const b = createStore(config);
    expect(a.kind).toBe('redis');
    // Two calls before the load finished: both wait for the same client.
    const [claimed, again] = await Promise.all([a.claimStream('s1', 'client-1', 60_000), a.claimStream('s1', 'client-2', 60_000)]);
    expect([claimed, again].map((r) => r.ok && r.value).sort()).toEqual([false, true]);
    // Another instance sees it.
    expect(await b.ownerOf('s1')).toMatchObject({ ok: true });
    await b.requestCancel('s1');
    expect(await a.cancelledAmong(['s1', 's2'])).toEqual({ ok: true, value: new Set(['s1']) });
    expect(await a.appendEvents('s1', 0, ['id: s1:0\ndata: {}\n\n'], 60_000)).toMatchObject({ ok: true });
    expect(await b.readEvents('s1', -1)).toMatchObject({ ok: true, value: { frames: ['id: s1:0\ndata: {}\n\n'] } });
    expect(await a.hitWindow('client-1', 2, 60_000)).toMatchObject({ ok: true });
    await a.close();
    await b.close();
  });

  it('an unreachable REST front is a store that is down, within its bound: a result, not a throw', async () => {
    const downs: StoreDownReport[] = [];
    const store = createStore({ kind: 'redis', url: 'http://127.0.0.1:9', token: 'x', timeoutMs: 500, prefix: uniquePrefix() }, { onDown: (report) => downs.push(report) });
    const result = await store.claimStream('s2', 'client-1', 60_000);
    expect(result.ok).toBe(false);
    expect(downs.length).toBeGreaterThan(0);
    await store.close();
  });

  it('a store never called closes without loading anything', async () => {
    const store = createStore({ kind: 'redis', url: harness.rest.url, token: harness.rest.token, timeoutMs: 500, prefix: uniquePrefix() });
    await expect(store.close()).resolves.toBeUndefined();
  });
});
