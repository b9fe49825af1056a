/**
 * Benchmark: the cost of a rate-limit check, on the memory store and on Redis
 * through the Upstash REST translator (the production `@upstash/redis` client, a real
 * redis-server), against a bare `PING` through the same client as the baseline of
 * one round trip. Sequential calls, so the figure is the latency one request pays;
 * five rounds, the median gives the row, every round is printed. On the same Redis, the
 * "Shared store" tables of issue 12 (`shared-store.ts`): cancel from another instance,
 * store commands per streamed answer.
 *
 * Run with the others: `npx tsx test/bench/run.ts rate-limit` (writes docs/benchmarks.md).
 * Run alone: `npx tsx test/bench/rate-limit.bench.ts` (needs /usr/bin/redis-server).
 */
import { pathToFileURL } from 'node:url';
import { loadRateLimitConfig } from '../../api/_lib/rate-limit/rate-limit-config.js';
import { createRateLimits, type RateLimits } from '../../api/_lib/rate-limit/rate-limits.js';
import { createRedisClient } from '../../api/_lib/store/redis-client.js';
import { MemoryStore } from '../../api/_lib/store/memory-store.js';
import type { SharedStore } from '../../api/_lib/store/shared-store.js';
import { startRedisHarness } from '../support/redis-harness.js';
import type { BenchSection } from './bench-section.js';
import { sharedStoreSections } from './shared-store.js';

const ROUNDS = 5;
const fmt = (n: number, digits = 3): string => n.toFixed(digits);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** ms per call of `run`, `calls` times in a row, for each round. */
async function rounds(calls: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const perRound: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) await run(round * calls + i);
    perRound.push((performance.now() - started) / calls);
  }
  return perRound;
}

function limitsOn(store: SharedStore): Required<RateLimits> {
  // Limits no bench client reaches, so every check is a full admitted check.
  const limits = createRateLimits(store, loadRateLimitConfig({ AI_STREAM_RATE_REQUESTS: '1000000/60s', AI_STREAM_RATE_STREAMS: '1000', AI_STREAM_RATE_TOKENS: '1000000000/1h' }));
  if (!limits.requests || !limits.streams || !limits.tokens) throw new Error('every limit is set');
  return { requests: limits.requests, streams: limits.streams, tokens: limits.tokens };
}

/** The three checks a streamed answer makes, each as one measured call. */
function checks(limits: Required<RateLimits>): Array<[string, (i: number) => Promise<unknown>]> {
  return [
    ['requests: check (sliding window)', (i) => limits.requests.check(`ip:10.0.${i % 50}.1`)],
    ['streams: acquire + release', async (i) => {
      await limits.streams.acquire('ip:10.0.0.1', `s${i}`);
      await limits.streams.release('ip:10.0.0.1', `s${i}`);
    }],
    ['tokens: reserve + settle', async (i) => {
      const { reservation } = await limits.tokens.reserve(`ip:10.0.${i % 50}.1`, 1_200);
      if (reservation) await limits.tokens.settle(`ip:10.0.${i % 50}.1`, reservation, 300);
    }],
  ];
}

export default async function rateLimitBench(): Promise<BenchSection> {
  const rows: Array<Array<string | number>> = [];
  const memory = limitsOn(new MemoryStore());
  for (const [name, run] of checks(memory)) {
    await rounds(200, run); // warm-up
    const perRound = await rounds(5_000, run);
    rows.push([`memory · ${name}`, fmt(median(perRound), 4), perRound.map((r) => fmt(r, 4)).join(', '), '0']);
  }

  const harness = await startRedisHarness();
  let redisCheckMs = Number.NaN;
  let tripsPerCheck = Number.NaN;
  let sharedStore: BenchSection[];
  try {
    const client = createRedisClient({ url: harness.rest.url, token: harness.rest.token, timeoutMs: 3_000 });
    await rounds(20, () => client.ping());
    const ping = await rounds(200, () => client.ping());
    rows.push(['baseline · PING through @upstash/redis and the translator', fmt(median(ping)), ping.map((r) => fmt(r)).join(', '), '1']);
    const redis = limitsOn(harness.store());
    for (const [name, run] of checks(redis)) {
      await rounds(20, run); // loads the scripts (EVALSHA, NOSCRIPT, EVAL) and the connections
      const before = harness.rest.stats.requests;
      const perRound = await rounds(200, run);
      const trips = (harness.rest.stats.requests - before) / (200 * ROUNDS);
      rows.push([`redis · ${name}`, fmt(median(perRound)), perRound.map((r) => fmt(r)).join(', '), fmt(trips, 2)]);
      if (name.startsWith('requests')) {
        redisCheckMs = median(perRound);
        tripsPerCheck = trips;
      }
    }
    rows.push(['redis · requests check ÷ PING', fmt(redisCheckMs / median(ping), 2), '', '']);
    sharedStore = await sharedStoreSections(harness);
  } finally {
    await harness.stop();
  }

  const memoryCheckMs = Number(rows[0]?.[1]);
  return {
    title: 'Rate-limit checks',
    method:
      'Milliseconds per call, calls made one after another (the latency one request pays): 5,000 per round on the memory store, 200 per round on Redis ' +
      'through the Upstash REST translator in test/support (a real redis-server, the production @upstash/redis client and store). Five rounds each; the median ' +
      'round gives the figure, every round is listed. "HTTP requests" counts the translator\'s requests per call. Baseline: a bare PING through the same client ' +
      'and translator, i.e. one local round trip; the Redis figures are round-trip bound, a real Upstash region adds its network latency instead.',
    columns: ['check', 'ms per call (median round)', 'rounds, ms per call', 'HTTP requests per call'],
    rows,
    verdicts: [
      `Memory: a request check costs ${fmt(memoryCheckMs, 4)} ms (budget 0.05 ms): ${memoryCheckMs <= 0.05 ? 'PASS' : 'FAIL'}`,
      `Redis: a request check is ${fmt(tripsPerCheck, 2)} HTTP request (budget 1): ${tripsPerCheck <= 1 ? 'PASS' : 'FAIL'}`,
    ],
    more: sharedStore,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const section = await rateLimitBench();
  for (const [level, part] of [['##', section], ...(section.more ?? []).map((more) => ['###', more] as const)] as const) {
    console.log(`${level} ${part.title}\n\n${part.method}\n`);
    console.log(`| ${part.columns.join(' | ')} |\n|${part.columns.map(() => ' --- |').join('')}`);
    for (const r of part.rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\n${part.verdicts.map((v) => `- ${v}`).join('\n')}\n`);
  }
  process.exit(0);
}
