/**
 * The measurements of the server benchmarks (server.bench.ts, server-providers.bench.ts):
 * each runs one server variant (bench-variants.ts) in a fresh child process in front of
 * the local upstream, drives it from this process with the load client, and returns its
 * figures. Nothing here decides a verdict.
 */
import { Agent } from 'node:http';
import { planOpenAIChatAnswer } from '../../demo/upstream/server.js';
import type { BenchVariant } from './bench-variants.js';
import { loadNow, medianOf, sleep } from './bench-stats.js';
import { streamAnswer, type BenchTarget, type StreamResult } from './load-client.js';
import { PROVIDER_ROUTES, upstreamRequestFor, type ProviderRoute } from './provider-routes.js';
import { spawnServer, type BenchProcess } from './spawn-server.js';
import type { ProcessStats } from './server-process.js';

/** An answer the load client asks for, and what it must receive. */
export interface BenchPrompt {
  content: string;
  /** Tokens wholly received once `chars` characters have arrived. */
  tokensIn(chars: number): number;
  /** The answer's length in UTF-16 units. */
  chars: number;
  /** The answer's exact text. */
  text: string;
}

/**
 * A prompt whose answer is `tokens` long at the given pace (the local upstream's
 * markers); `exact`: the first token to the microsecond (see the upstream's `Pace`).
 */
export function prompt(tokens: number, firstTokenMs: number, tokensPerSecond: number, exact = false): BenchPrompt {
  const content = `How do streaming chat servers work? [[length:${tokens}]][[pace:${firstTokenMs},${tokensPerSecond}${exact ? ',exact' : ''}]]`;
  const { deltas } = planOpenAIChatAnswer({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], stream: true });
  const ends: number[] = [];
  let total = 0;
  for (const delta of deltas) ends.push((total += delta.length));
  const tokensIn = (chars: number): number => {
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ends[mid] ?? Infinity) <= chars) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return { content, tokensIn, chars: total, text: deltas.join('') };
}

/** `fn` remembering its last argument's result. */
function memoize<T>(fn: (key: string) => T): (key: string) => T {
  let last: { key: string; value: T } | undefined;
  return (key) => (last?.key === key ? last.value : (last = { key, value: fn(key) }).value);
}

/**
 * How the load client asks `variant`'s server (at `origin`) for an answer on `route`. The
 * pass-through (and the upstream itself, `direct`) is sent, on the same path, exactly the
 * request our server sends upstream for that route (its adapter builds it), so both
 * stream the same bytes from the upstream.
 */
export function targetFor(variant: BenchVariant | 'direct', origin: string, route: ProviderRoute, upstreamUrl: string): BenchTarget {
  const { alias, format } = PROVIDER_ROUTES[route];
  if (variant === 'direct' || variant.kind === 'passthrough') {
    // Every stream of a phase asks the same question: build its request once.
    const upstream = memoize((content: string) => upstreamRequestFor(route, content, upstreamUrl));
    const sample = upstream('sample');
    return { label: variant === 'direct' ? 'upstream directly' : variant.label, endpoint: `${origin}${sample.pathAndQuery}`, format, headers: sample.headers, body: (c) => upstream(c).body };
  }
  if (variant.kind === 'ours') {
    return { label: variant.label, endpoint: `${origin}/api/chat/stream`, format: 'ours', body: (c) => JSON.stringify({ model: alias, messages: [{ role: 'user', content: c }] }) };
  }
  if (route !== 'openai') throw new Error(`the AI SDK is measured on the OpenAI route only, not ${route}`);
  return {
    label: variant.label,
    endpoint: `${origin}/api/chat`,
    format: 'ui-message',
    // useChat's request: UI messages with text parts.
    body: (c) => JSON.stringify({ messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: c }] }] }),
  };
}

export const newAgent = (): Agent => new Agent({ keepAlive: true, maxSockets: Infinity });

interface ConcurrentHooks {
  onText?: (index: number, chars: number) => void;
  onEnd?: (r: StreamResult) => void;
  signal?: AbortSignal;
  keepText?: boolean;
  timeoutMs?: number;
}

/** `count` requests for `content` at once; resolves when every one has ended. */
export function runConcurrent(target: BenchTarget, count: number, content: string, agent: Agent, hooks: ConcurrentHooks = {}): Promise<StreamResult[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      streamAnswer(target, content, {
        agent,
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        ...(hooks.onText ? { onText: (chars: number) => hooks.onText?.(i, chars) } : {}),
        ...(hooks.keepText ? { keepText: true } : {}),
        ...(hooks.timeoutMs ? { timeoutMs: hooks.timeoutMs } : {}),
      }).then((r) => (hooks.onEnd?.(r), r)),
    ),
  );
}

/** Undefined when every stream ended well with the whole answer (its exact text, when kept). */
export function failures(results: StreamResult[], expected: BenchPrompt): string | undefined {
  const bad = results.filter((r) => !r.ok || r.chars !== expected.chars || (r.text !== undefined && r.text !== expected.text));
  if (bad.length === 0) return undefined;
  const first = bad[0];
  const why = first?.error ?? (first?.chars !== expected.chars ? `${first?.chars} of ${expected.chars} chars` : 'same length, different text');
  return `${bad.length}/${results.length} streams failed or were not byte-exact (first: ${why})`;
}

/** Runs `run` against a fresh process of `variant`, closed afterwards whatever happens. */
export async function withServer<T>(variant: BenchVariant, upstreamUrl: string, run: (server: BenchProcess, target: BenchTarget) => Promise<T>, route: ProviderRoute = 'openai'): Promise<T> {
  const server = await spawnServer(variant.kind, upstreamUrl, variant.env);
  try {
    return await run(server, targetFor(variant, server.url, route, upstreamUrl));
  } finally {
    await server.close();
  }
}

const WARMUP_STREAMS = 20;

/** `rounds` × `streams` concurrent short answers: compiles the hot paths and opens the pools. */
export async function warmUp(target: BenchTarget, agent: Agent, streams = WARMUP_STREAMS, rounds = 1): Promise<void> {
  const warm = prompt(100, 0, 0);
  for (let round = 0; round < rounds; round++) {
    const results = await runConcurrent(target, streams, warm.content, agent);
    const problem = failures(results, warm);
    if (problem) throw new Error(`${target.label} warm-up: ${problem}`);
  }
}

/** What one CPU measurement streams. */
export interface CpuLoad {
  route: ProviderRoute;
  streams: number;
  tokens: number;
  /** Per stream; 0 = unpaced. */
  tokensPerSecond: number;
}

export interface CpuFigures {
  microsPerToken: number;
  tokens: number;
  seconds: number;
  /** 1-minute load average when the measurement started. */
  load: number;
}

/** Rounds of `streams` concurrent short answers before a CPU measurement (paid once per instance, not per token). */
export const CPU_WARMUP_ROUNDS = 2;

/**
 * Server CPU time (user + system, all threads) per token delivered, over `load.streams`
 * concurrent answers, in a fresh process after the warm-up; every answer byte-exact.
 */
export function measureCpu(variant: BenchVariant, upstreamUrl: string, load: CpuLoad): Promise<CpuFigures> {
  return withServer(variant, upstreamUrl, async (server, target) => {
    const agent = newAgent();
    await warmUp(target, agent, load.streams, CPU_WARMUP_ROUNDS);
    const answer = prompt(load.tokens, 0, load.tokensPerSecond);
    const loadAvg = loadNow();
    const before = await server.stats();
    const startedAt = performance.now();
    const results = await runConcurrent(target, load.streams, answer.content, agent, { keepText: true });
    const seconds = (performance.now() - startedAt) / 1000;
    const after = await server.stats();
    agent.destroy();
    const problem = failures(results, answer);
    if (problem) throw new Error(problem);
    const tokens = results.reduce((sum, r) => sum + answer.tokensIn(r.chars), 0);
    return { microsPerToken: (after.cpuMicros - before.cpuMicros) / tokens, tokens, seconds, load: loadAvg };
  }, load.route);
}

/** One TTFT round: each target's time to first text, ms, keyed by target index. */
export type TtftRound = number[];

/**
 * `rounds` sequential requests per target, one per target per round in rotating order,
 * so drift on a noisy machine hits all alike; each request is alone on the machine's
 * network path. Every server is a fresh process, warmed up first.
 */
export async function measureTtft(upstream: BenchProcess, variants: readonly BenchVariant[], rounds: number, answer: BenchPrompt): Promise<{ labels: string[]; rounds: TtftRound[]; cpuMicrosPerRequest: number[] }> {
  const servers = await Promise.all(variants.map((v) => spawnServer(v.kind, upstream.url, v.env)));
  const agent = newAgent();
  try {
    const targets = [
      targetFor('direct', new URL(upstream.url).origin, 'openai', upstream.url),
      ...variants.map((v, i) => targetFor(v, servers[i]?.url ?? '', 'openai', upstream.url)),
    ];
    for (const target of targets) await warmUp(target, agent);
    // CPU time is what a loaded machine inflates least: each server's per request, this phase.
    const before = await Promise.all(servers.map((s) => s.stats()));
    const out: TtftRound[] = [];
    for (let round = 0; round < rounds; round++) {
      const times = new Array<number>(targets.length).fill(Number.NaN);
      for (let k = 0; k < targets.length; k++) {
        const i = (round + k) % targets.length;
        const target = targets[i];
        if (!target) continue;
        const r = await streamAnswer(target, answer.content, { agent });
        if (!r.ok || r.firstTextAt === undefined) throw new Error(`${target.label} TTFT request failed: ${r.error}`);
        times[i] = r.firstTextAt - r.startedAt;
      }
      out.push(times);
    }
    const after = await Promise.all(servers.map((s) => s.stats()));
    const cpuMicrosPerRequest = servers.map((_, i) => ((after[i]?.cpuMicros ?? Number.NaN) - (before[i]?.cpuMicros ?? Number.NaN)) / rounds);
    return { labels: targets.map((t) => t.label), rounds: out, cpuMicrosPerRequest };
  } finally {
    agent.destroy();
    await Promise.all(servers.map((s) => s.close()));
  }
}

/** A burst: how many streams at once, how long and how fast each answer is. */
export interface BurstLoad {
  streams: number;
  tokens: number;
  tokensPerSecond: number;
  firstTokenMs: number;
  /** Tokens/s are counted over this window, starting `settleMs` after every stream is streaming. */
  settleMs: number;
  windowMs: number;
}

export interface BurstFigures {
  /** 1-minute load average when the burst started. */
  load: number;
  idleRssMb: number;
  peakRssMb: number;
  /** (peak RSS − idle RSS) ÷ streams, KB. */
  kbPerStream: number;
  /** JS heap over idle per open stream after a full GC while all are open, KB: what stays. */
  liveHeapKbPerStream: number;
  /** Median time from request to first text over the burst's streams, ms. */
  ttftMs: number;
  /** From the burst until every stream was streaming; undefined if they never all were. */
  rampMs: number | undefined;
  /** Tokens per second received by all clients in the window. */
  tokensPerSecond: number;
  /** A stream ended before the window closed: the rate undercounts. */
  windowCut: boolean;
  microsPerToken: number;
  /** Undefined when every stream received the exact answer. */
  problem: string | undefined;
}

/** Idle RSS is read once two readings this far apart agree within IDLE_RSS_TOLERANCE. */
const IDLE_SETTLE_MS = 500;
const IDLE_RSS_TOLERANCE = 2 * 2 ** 20;
/** Longest wait for idle RSS to settle; the last reading is taken then. */
const IDLE_SETTLE_LIMIT_MS = 10_000;

/**
 * The process's idle figures once they stopped moving (a GC before each reading). Read
 * right after the warm-up, idle RSS sometimes still held the tokenizer worker's ~55 MB
 * (it builds the rank table, hands it over and exits) and sometimes not, so
 * (peak − idle) per stream flipped between about 10 and 63 KB on the same code.
 */
async function settledIdle(server: BenchProcess): Promise<ProcessStats> {
  const startedAt = performance.now();
  await server.gc();
  let last = await server.stats();
  for (;;) {
    await sleep(IDLE_SETTLE_MS);
    await server.gc();
    const now = await server.stats();
    if (Math.abs(now.rss - last.rss) <= IDLE_RSS_TOLERANCE || performance.now() - startedAt > IDLE_SETTLE_LIMIT_MS) return now;
    last = now;
  }
}

/** Longest a burst may take to start every stream. */
const MAX_RAMP_MS = 20_000;
/** Longest a burst's stream may take to end: a saturated server still finishes in this. */
const BURST_STREAM_TIMEOUT_MS = 120_000;

/**
 * `load.streams` requests sent at once to a fresh, warmed-up process of `variant`, each
 * read to its end and compared with the upstream's answer byte for byte. Idle RSS (after
 * a GC, warm-up sockets closed), peak RSS sampled every 20 ms, every stream's time to
 * first text, the clients' token rate once all are streaming, then (all still open,
 * window done) a full GC to read what stays.
 */
export function measureBurst(variant: BenchVariant, upstreamUrl: string, load: BurstLoad): Promise<BurstFigures> {
  return withServer(variant, upstreamUrl, async (server, target) => {
    const warmAgent = newAgent();
    await warmUp(target, warmAgent);
    // Idle with the warm-up's sockets closed, as before a burst of new visitors.
    warmAgent.destroy();
    const idle = await settledIdle(server);
    server.trackPeak();

    const answer = prompt(load.tokens, load.firstTokenMs, load.tokensPerSecond);
    const chars = new Array<number>(load.streams).fill(0);
    const seen = new Array<boolean>(load.streams).fill(false);
    let tokens = 0;
    let streaming = 0;
    let ended = 0;
    let allStreaming: () => void = () => {};
    const everyoneStreaming = new Promise<void>((resolve) => (allStreaming = resolve));
    const agent = newAgent();
    const loadAvg = loadNow();
    const startedAt = performance.now();
    const run = runConcurrent(target, load.streams, answer.content, agent, {
      keepText: true,
      timeoutMs: BURST_STREAM_TIMEOUT_MS,
      onText: (i, n) => {
        const before = answer.tokensIn(chars[i] ?? 0);
        chars[i] = (chars[i] ?? 0) + n;
        tokens += answer.tokensIn(chars[i] ?? 0) - before;
        if (!seen[i]) {
          seen[i] = true;
          if (++streaming === load.streams) allStreaming();
        }
      },
      onEnd: () => void ended++,
    });

    await Promise.race([everyoneStreaming, sleep(MAX_RAMP_MS)]);
    const rampMs = performance.now() - startedAt;
    await sleep(load.settleMs);
    const endedBeforeWindow = ended;
    const windowStart = performance.now();
    const startTokens = tokens;
    await sleep(load.windowMs);
    const tokensPerSecond = (tokens - startTokens) / ((performance.now() - windowStart) / 1000);
    const windowCut = ended > endedBeforeWindow || endedBeforeWindow > 0;
    const tokensAtStats = tokens;
    const beforeGc = await server.stats();
    await server.gc();
    const live = await server.stats();
    const open = Math.max(1, load.streams - ended);
    const results = await run;
    agent.destroy();
    const peakRss = beforeGc.peakRss ?? beforeGc.rss;
    const problems = [failures(results, answer), streaming < load.streams ? `only ${streaming} of ${load.streams} streams started within ${MAX_RAMP_MS / 1000} s` : undefined].filter(Boolean);
    return {
      load: loadAvg,
      idleRssMb: idle.rss / 2 ** 20,
      peakRssMb: peakRss / 2 ** 20,
      kbPerStream: (peakRss - idle.rss) / 1024 / load.streams,
      liveHeapKbPerStream: (live.heapUsed - idle.heapUsed) / 1024 / open,
      ttftMs: medianOf(results.map((r) => (r.firstTextAt ?? Number.NaN) - r.startedAt)),
      rampMs: streaming === load.streams ? rampMs : undefined,
      tokensPerSecond,
      windowCut,
      microsPerToken: (beforeGc.cpuMicros - idle.cpuMicros) / tokensAtStats,
      problem: problems.length > 0 ? problems.join('; ') : undefined,
    };
  });
}

/**
 * `rounds` measurements of each variant, the variants in rotating order within a round
 * (a burst of load from elsewhere on the machine hits all alike); `inRound` says which
 * variants a round measures. A failed measurement is kept as its error, not fatal.
 * Each variant's list is indexed by round.
 */
export async function rounds<T>(
  what: string,
  count: number,
  variants: readonly BenchVariant[],
  inRound: (variant: BenchVariant, round: number) => boolean,
  measure: (variant: BenchVariant) => Promise<T>,
): Promise<Map<string, Array<T | Error | undefined>>> {
  // Indexed by round, so that round r of two variants can be paired; undefined: not measured that round.
  const out = new Map<string, Array<T | Error | undefined>>(variants.map((v) => [v.key, new Array<T | Error | undefined>(count).fill(undefined)]));
  for (let round = 0; round < count; round++) {
    const order = variants.map((_, k) => variants[(round + k) % variants.length]).filter((v): v is BenchVariant => v !== undefined && inRound(v, round));
    for (const variant of order) {
      process.stderr.write(`  ${what}, round ${round + 1} of ${count}, ${variant.label} (load ${loadNow().toFixed(1)})…\n`);
      const list = out.get(variant.key);
      if (!list) continue;
      try {
        list[round] = await measure(variant);
      } catch (error) {
        list[round] = error instanceof Error ? error : new Error(String(error));
      }
    }
  }
  return out;
}
