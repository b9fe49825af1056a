/**
 * Benchmark: token counting of a streamed answer. The incremental counter (re-matches
 * only the last two pieces) against a full re-encode per delta, at the start and the end
 * of a 20,000-token answer; the tokenizer's load in the worker against in-thread; a
 * pathological 10 KB piece; and the state one stream holds.
 *
 * Run alone: `npx tsx test/bench/token-count.bench.ts`.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadPieceEncoder, type PieceEncoder } from '../../api/_lib/counting/piece-encoder.mjs';
import { loadRankTable } from '../../api/_lib/counting/rank-table.mjs';
import { createPieceSplitter, createTokenCounter, type TokenCounter } from '../../api/_lib/counting/token-counter.js';
import { createTokenizer } from '../../api/_lib/counting/tokenizer.js';
import { mulberry32 } from '../../demo/upstream/mulberry32.js';
import { randomChunks } from '../support/random-splits.js';
import type { BenchSection } from './bench-section.js';

const random = mulberry32;

const WORDS = 'the a of to and in is it that for on with as this you are be can by not or from at an your have more will use which one all when there their also how each if do these so what about into time than other then them some would like'.split(' ');
const EXTRAS = ['streaming', 'token', 'JavaScript', "don't", "it's", 'HTTP/2', 'Server-Sent Events', '1,234', '2026', '42%', '中文', 'naïve', '😀', '👍🏽', 'e.g.', '—'];
const CODE = '```ts\nconst stream = await fetch("/api/chat/stream", { method: "POST", body });\nfor await (const event of parse(stream)) {\n    render(event);\n}\n```\n';

/** A markdown answer of about `tokens` o200k tokens: prose, lists, code, numbers, a little CJK and emoji. */
function makeAnswer(tokens: number, seed: number): string {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const parts: string[] = [];
  let approx = 0;
  while (approx < tokens) {
    const r = next();
    if (r < 0.08) parts.push(CODE);
    else if (r < 0.2) parts.push(`\n- **${pick(EXTRAS)}**: ${Array.from({ length: 8 }, () => pick(WORDS)).join(' ')}.\n`);
    else {
      const words = Array.from({ length: 10 + Math.floor(next() * 20) }, () => (next() < 0.1 ? pick(EXTRAS) : pick(WORDS)));
      parts.push(`${words.join(' ')}. `);
    }
    approx = parts.join('').length / 4;
  }
  return parts.join('');
}


const fmt = (n: number, digits = 1): string => n.toFixed(digits);

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Loading {
  idleBlockMs: number;
  workerMs: number;
  workerBlockMs: number;
  inThreadMs: number;
  inThreadBlockMs: number;
  tableMiB: number;
  /** The rank table's own size (its SharedArrayBuffer). */
  tableBufferMiB: number;
  tiktokenMs: number;
  tiktokenMiB: number;
  encoder: PieceEncoder;
  tiktoken: Tiktoken;
  pattern: string;
}

/**
 * Loads the tokenizer through the worker and in this thread, returning the main
 * thread's worst block for each, then js-tiktoken's own loader (the reference counts).
 */
async function measureLoading(): Promise<Loading> {
  // The baseline: the worst delay of an idle event loop over a comparable time.
  let delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await settle(700);
  delay.disable();
  const idleBlockMs = delay.max / 1e6;

  const tokenizer = createTokenizer();
  delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let started = performance.now();
  const probe = tokenizer.createCompletionCounter();
  probe.push('warm');
  await probe.count();
  const workerMs = performance.now() - started;
  await settle(50);
  delay.disable();
  const workerBlockMs = delay.max / 1e6;
  probe.dispose();
  await tokenizer.close();

  // The fallback: the same table built on this thread.
  let rssBefore = process.memoryUsage().rss;
  delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await settle(20);
  started = performance.now();
  const encoder = await loadPieceEncoder('o200k_base');
  const inThreadMs = performance.now() - started;
  await settle(50);
  delay.disable();
  const inThreadBlockMs = delay.max / 1e6;
  const tableMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  // Built once more, outside the measurements above, for the size of its buffer.
  const tableBufferMiB = (await loadRankTable('o200k_base')).buffer.byteLength / 2 ** 20;

  rssBefore = process.memoryUsage().rss;
  started = performance.now();
  const { default: o200k } = await import('js-tiktoken/ranks/o200k_base');
  const tiktoken = new Tiktoken(o200k);
  const tiktokenMs = performance.now() - started;
  const tiktokenMiB = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
  return { idleBlockMs, workerMs, workerBlockMs, inThreadMs, inThreadBlockMs, tableMiB, tableBufferMiB, tiktokenMs, tiktokenMiB, encoder, tiktoken, pattern: o200k.pat_str };
}

/** Mean µs per delta over `deltas[from, to)`, for a step that sees the text so far. */
function timeWindow(deltas: string[], from: number, to: number, step: (delta: string, soFar: string) => void, prefix: string): number {
  let soFar = prefix;
  const started = performance.now();
  for (let i = from; i < to; i++) {
    const delta = deltas[i] ?? '';
    soFar += delta;
    step(delta, soFar);
  }
  return ((performance.now() - started) * 1000) / (to - from);
}

/** Runs the benchmark and returns its section of docs/benchmarks.md. */
export default async function tokenCountBench(): Promise<BenchSection> {
  const load = await measureLoading();
  const { tiktoken, encoder } = load;
  const answer = makeAnswer(20_000, 7);
  const deltas = randomChunks(answer, random(11), 12);
  const exact = tiktoken.encode(answer, [], []).length;
  const prefixOf = (n: number): string => deltas.slice(0, n).join('');
  const WINDOW = 1_000;
  const end = deltas.length;

  // Incremental: push and an exact count after every delta, over the whole answer; a
  // warm-up pass, then the median of three passes (the machine is shared).
  let counter: TokenCounter = createTokenCounter(encoder);
  const incremental = (delta: string): void => {
    counter.push(delta);
    counter.count();
  };
  const passes: Array<{ start: number; end: number; correct: boolean }> = [];
  for (let pass = 0; pass < 4; pass++) {
    counter = createTokenCounter(encoder);
    const start = timeWindow(deltas, 0, WINDOW, incremental, '');
    timeWindow(deltas, WINDOW, end - WINDOW, incremental, prefixOf(WINDOW));
    const last = timeWindow(deltas, end - WINDOW, end, incremental, prefixOf(end - WINDOW));
    if (pass > 0) passes.push({ start, end: last, correct: counter.count() === exact });
  }
  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const incStart = median(passes.map((p) => p.start));
  const incEnd = median(passes.map((p) => p.end));
  const incCorrect = passes.every((p) => p.correct);

  // Naive: encode everything so far after every delta (only 100 deltas per window: seconds each).
  const naive = (_delta: string, soFar: string): void => void tiktoken.encode(soFar, [], []).length;
  const naiveStart = timeWindow(deltas, 0, 100, naive, '');
  const naiveEnd = timeWindow(deltas, end - 100, end, naive, prefixOf(end - 100));

  // The API the handler uses: push + estimate, counting on the main thread against the
  // rank table the worker built.
  const tokenizer = createTokenizer();
  const warm = tokenizer.createCompletionCounter();
  for (const delta of deltas.slice(0, 3_000)) {
    warm.push(delta);
    warm.estimate();
  }
  await warm.count();
  warm.dispose();
  const streamed = tokenizer.createCompletionCounter();
  const api = (delta: string): void => {
    streamed.push(delta);
    streamed.estimate();
  };
  const apiStart = timeWindow(deltas, 0, WINDOW, api, '');
  timeWindow(deltas, WINDOW, end - WINDOW, api, prefixOf(WINDOW));
  const apiEnd = timeWindow(deltas, end - WINDOW, end, api, prefixOf(end - WINDOW));
  let started = performance.now();
  const apiCount = await streamed.count();
  const finalCountMs = performance.now() - started;

  // A 10 KB piece without a break, in 4-character deltas: median of three passes.
  const run = 'abcdefghijklmnopqrstuvwxyz'.repeat(400).slice(0, 10_000);
  const runDeltas = Array.from({ length: run.length / 4 }, (_, i) => run.slice(4 * i, 4 * i + 4));
  const RUN_WINDOW = 250;
  const runPasses = [0, 1, 2].map(() => {
    const splitter = createPieceSplitter(load.pattern);
    const runCounter = createTokenCounter(encoder);
    const runStep = (delta: string): void => {
      splitter.push(delta);
      runCounter.push(delta);
    };
    const first = timeWindow(runDeltas, 0, RUN_WINDOW, runStep, '');
    timeWindow(runDeltas, RUN_WINDOW, runDeltas.length - RUN_WINDOW, runStep, '');
    const last = timeWindow(runDeltas, runDeltas.length - RUN_WINDOW, runDeltas.length, runStep, '');
    const countStarted = performance.now();
    const count = runCounter.count();
    return { first, last, countMs: performance.now() - countStarted, count, scanned: splitter.scannedUnits() };
  });
  const runStart = median(runPasses.map((p) => p.first));
  const runEnd = median(runPasses.map((p) => p.last));
  const runCountMs = median(runPasses.map((p) => p.countMs));
  const runCount = runPasses[0]?.count;
  const runScanned = runPasses[0]?.scanned ?? NaN;
  started = performance.now();
  const runReference = tiktoken.encode(run, [], []).length;
  const runReferenceMs = performance.now() - started;

  // State of 1000 live streams (worker mode), each 2 KB into its answer, the deltas
  // arriving round-robin with the event loop turning between rounds, as in a server.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const streams = Array.from({ length: 1_000 }, () => tokenizer.createCompletionCounter());
  for (const delta of randomChunks(answer.slice(0, 2_000), random(5), 12)) {
    for (const stream of streams) stream.push(delta);
    await new Promise((resolve) => setImmediate(resolve));
  }
  while (tokenizer.stats().inFlight > 0 || tokenizer.stats().waitingCounters > 0) await settle(20);
  gc();
  const perStreamKB = (process.memoryUsage().heapUsed - heapBefore) / 1000 / 1024;
  for (const stream of streams) stream.dispose();
  await tokenizer.close();

  const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
  const flat = incEnd / incStart;
  // The idle loop's worst delay is this machine's noise at the monitor's 5 ms resolution
  // (other processes, the bench's own timers); what loading adds is the excess over it.
  const loadExcessMs = Math.max(0, load.workerBlockMs - load.idleBlockMs);
  return {
    title: 'Token counting',
    method:
      `A seeded markdown answer of ${exact} o200k_base tokens (${answer.length} characters: prose, lists, code, numbers, some CJK and emoji) ` +
      `cut into ${deltas.length} seeded deltas of 1 to 12 code units. Incremental = createTokenCounter: push, then an exact count(), after ` +
      'every delta (median of three passes after a warm-up); naive = js-tiktoken encode() of all the text so far after every delta. µs per delta are means over the first and the ' +
      `last ${WINDOW} deltas (naive: 100, as each costs milliseconds at the end). "API" is what the handler calls on the main thread ` +
      '(createCompletionCounter: push + estimate(), counted on the main thread against the rank table the worker built). Loading: time until a first count ' +
      'is answered, and the worst event-loop delay of the main thread meanwhile (monitorEventLoopDelay, 5 ms resolution), against ' +
      'an idle event loop measured the same way (the worker competes for the two cores, so some delay is scheduling); "in this thread" is the ' +
      'fallback building the same table on the main thread; js-tiktoken\'s own loader (its maps) is shown for scale. ' +
      'Per-stream state: heap growth with 1000 live counters 2 KB into their answers (deltas round-robin, event loop turning), once ' +
      'the worker has answered, after GC.',
    columns: ['measure', 'start of answer', 'end of answer', 'end ÷ start', 'notes'],
    rows: [
      ['incremental counter, µs/delta (push + exact count)', fmt(incStart, 2), fmt(incEnd, 2), fmt(flat, 2), incCorrect ? `final count ${exact}, equals encode()` : 'WRONG final count'],
      ['naive re-encode, µs/delta', fmt(naiveStart, 1), fmt(naiveEnd, 1), fmt(naiveEnd / naiveStart, 1), `${fmt(naiveEnd / incEnd, 0)}× the incremental cost at the end`],
      ['API on the main thread, µs/delta (push + estimate, exact)', fmt(apiStart, 2), fmt(apiEnd, 2), fmt(apiEnd / apiStart, 2), `then count() ${fmt(finalCountMs, 2)} ms, ${apiCount === exact ? 'exact' : 'WRONG'}`],
      ['load o200k_base through the worker: ms until counted / worst main-thread block, ms', fmt(load.workerMs, 0), fmt(load.workerBlockMs, 1), '', `idle event loop over 700 ms, same run: worst delay ${fmt(load.idleBlockMs, 1)} ms`],
      ['load o200k_base in this thread (fallback): ms / worst main-thread block, ms', fmt(load.inThreadMs, 0), fmt(load.inThreadBlockMs, 1), '', `RSS +${fmt(load.tableMiB, 0)} MiB (the rank table: ${fmt(load.tableBufferMiB, 1)} MiB of shared memory)`],
      ["js-tiktoken's own loader, for scale: ms / RSS", fmt(load.tiktokenMs, 0), '', '', `RSS +${fmt(load.tiktokenMiB, 0)} MiB (its maps of comma-joined strings)`],
      ['10 KB of letters without a break, 4-char deltas: µs/delta (push; first and last 250 deltas)', fmt(runStart, 2), fmt(runEnd, 2), fmt(runEnd / runStart, 2), `exact count() at its end ${fmt(runCountMs, 1)} ms; regex scanned ${fmt(runScanned / run.length, 1)} units per character; js-tiktoken encode() of the run: ${fmt(runReferenceMs, 0)} ms${runCount === runReference ? ', same count' : ', DIFFERENT count'}`],
      ['state per live stream, KB (1000 streams)', fmt(perStreamKB, 2), '', '', 'the tokenizer itself shared: one rank table'],
    ],
    verdicts: [
      `Incremental cost per delta stays flat: end ÷ start ${fmt(flat, 2)} (budget ≤ 2): ${verdict(flat <= 2 && incCorrect)}`,
      `Naive re-encode grows with the answer: end ÷ start ${fmt(naiveEnd / naiveStart, 0)}×`,
      `Loading does not block the main thread: worst delay ${fmt(load.workerBlockMs, 1)} ms while the worker loads, ${fmt(loadExcessMs, 1)} ms over the idle loop's ${fmt(load.idleBlockMs, 1)}, ` +
        `against ${fmt(load.inThreadBlockMs, 0)} ms in-thread (budget: the excess under a tenth of it): ${verdict(loadExcessMs < load.inThreadBlockMs / 10)}`,
      `Per-stream state ${fmt(perStreamKB, 2)} KB (budget well under 60 KB): ${verdict(perStreamKB < 10)}`,
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const section = await tokenCountBench();
  console.log(`## ${section.title}\n\n${section.method}\n`);
  console.log(`| ${section.columns.join(' | ')} |\n|${section.columns.map(() => ' --- |').join('')}`);
  for (const r of section.rows) console.log(`| ${r.join(' | ')} |`);
  console.log(`\n${section.verdicts.map((v) => `- ${v}`).join('\n')}`);
}
