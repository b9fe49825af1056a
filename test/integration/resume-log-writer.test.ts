import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLogWriter } from '../../api/_lib/answer/event-log-writer.js';
import type { LogFields } from '../../api/_lib/ops/log.js';
import { MemoryStore } from '../../api/_lib/store/memory-store.js';
import type { SharedStore } from '../../api/_lib/store/shared-store.js';
import { startRedisHarness, type RedisHarness } from '../support/redis-harness.js';

/** The event log writer on the real stores: order, one call at a time, and turning itself off. */
let redis: RedisHarness;
beforeAll(async () => {
  redis = await startRedisHarness();
});
afterAll(async () => {
  await redis.stop();
});

const TTL = { runningMs: 60_000, endedMs: 60_000 };
const frame = (seq: number): string => `id: s:${seq}\ndata: {"type":"token","content":"${seq}"}\n\n`;

const stores: Array<{ name: string; make: (bounds?: { maxFrames: number; maxBytes: number }) => SharedStore }> = [
  { name: 'redis', make: (bounds) => redis.store(bounds ? { eventLogBounds: bounds } : {}) },
  { name: 'memory', make: (bounds) => new MemoryStore(bounds ? { eventLogBounds: bounds } : {}) },
];

describe.each(stores)('$name store', ({ make }) => {
  it('200 flushes pushed in one go land in order, gapless, in fewer calls than flushes, with the end mark', async () => {
    const store = make();
    let calls = 0;
    const counting: SharedStore = Object.assign(Object.create(store) as SharedStore, {
      appendEvents: (...args: Parameters<SharedStore['appendEvents']>) => (calls++, store.appendEvents(...args)),
    });
    const writer = new EventLogWriter(counting, 'answer-1', TTL, () => {});
    for (let seq = 0; seq < 200; seq++) {
      writer.push([frame(seq)], seq === 199);
      // What the store has not confirmed is held here, from the confirmed seq on.
      expect(writer.framesFrom(writer.confirmed)?.length).toBe(seq + 1 - writer.confirmed);
    }
    await writer.settled();
    const read = await store.readEvents('answer-1', -1);
    expect(read).toEqual({ ok: true, value: { frames: Array.from({ length: 200 }, (_, seq) => frame(seq)), ended: true, nextSeq: 200 } });
    expect(calls).toBeLessThan(200);
    expect(writer.confirmed).toBe(200);
    expect(writer.framesFrom(0)).toBeUndefined();
  });

  it('a log past its bound turns itself off with one log line, and is marked ended for readers elsewhere', async () => {
    const store = make({ maxFrames: 5, maxBytes: 1024 * 1024 });
    const lines: Array<{ event: string } & LogFields> = [];
    const writer = new EventLogWriter(store, 'answer-2', TTL, (event, fields) => lines.push({ event, ...fields }));
    for (let seq = 0; seq < 4; seq++) writer.push([frame(seq)]);
    await writer.settled();
    writer.push([frame(4), frame(5)]);
    await writer.settled();
    writer.push([frame(6)], true);
    await writer.settled();
    expect(writer.on).toBe(false);
    expect(lines).toEqual([{ event: 'resume_off', streamId: 'answer-2', reason: 'full', framesLogged: 4 }]);
    // The mark is sent after the line; read until it is there.
    for (let i = 0; i < 100; i++) {
      const read = await store.readEvents('answer-2', -1);
      if (read.ok && read.value?.ended) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await store.readEvents('answer-2', -1)).toMatchObject({ ok: true, value: { ended: true, nextSeq: 4 } });
  });
});

it('a store that is down turns the log off with one line; the writer never throws', async () => {
  const store = redis.store({ url: 'http://127.0.0.1:9', timeoutMs: 300 });
  const lines: string[] = [];
  const writer = new EventLogWriter(store, 'answer-3', TTL, (event, fields) => lines.push(`${event} ${String(fields.reason)}`));
  writer.push([frame(0)]);
  writer.push([frame(1)], true);
  await writer.settled();
  expect(writer.on).toBe(false);
  expect(lines).toEqual(['resume_off store_down']);
  expect(redis.downReports.some((r) => r.op === 'appendEvents')).toBe(true);
});
