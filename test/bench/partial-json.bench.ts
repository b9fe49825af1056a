/**
 * Benchmark: the incremental partial-JSON parser against the two parsers people use
 * for streamed JSON, `partial-json` and the AI SDK's `parsePartialJson`, which both
 * re-parse the whole text on every chunk.
 *
 * Run alone: `npx tsx test/bench/partial-json.bench.ts`.
 */
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parsePartialJson } from 'ai';
import { parse as partialJsonParse } from 'partial-json';
import { createPartialJsonParser } from '../../widget/shared/partial-json/index.js';
import { mulberry32 } from '../../demo/upstream/mulberry32.js';
import { randomChunks } from '../support/random-splits.js';
import type { BenchSection } from './bench-section.js';

const random = mulberry32;

const PIECES = ['lorem ', 'ipsum ', 'dolor', ' sit', '\\n', '\\"', '\\\\', '\\u00e9', '\\t', 'naïve ', '日本語', '😀', '\\ud83d\\ude80', ' — '];

/** A JSON document of about `size` characters: records with escaped strings, exponents, nesting. */
export function makeDocument(size: number, seed: number): string {
  const next = random(seed);
  const int = (max: number) => Math.floor(next() * max);
  const str = () => `"${Array.from({ length: 1 + int(12) }, () => PIECES[int(PIECES.length)]).join('')}"`;
  const num = () => {
    const mantissa = `${next() < 0.3 ? '-' : ''}${int(100000)}${next() < 0.5 ? `.${int(1000)}` : ''}`;
    return next() < 0.3 ? `${mantissa}e${next() < 0.5 ? '-' : '+'}${int(300)}` : mantissa;
  };
  const value = (depth: number): string => {
    const r = next();
    if (depth < 4 && r < 0.15) return `{${Array.from({ length: 1 + int(5) }, (_, k) => `"k${k}": ${value(depth + 1)}`).join(', ')}}`;
    if (depth < 4 && r < 0.3) return `[${Array.from({ length: int(6) }, () => value(depth + 1)).join(', ')}]`;
    if (r < 0.65) return str();
    if (r < 0.9) return num();
    return ['true', 'false', 'null'][int(3)] ?? 'null';
  };
  const records: string[] = [];
  for (let length = 0; length < size; ) {
    const record = `  {"id": ${records.length}, "title": ${str()}, "score": ${num()}, "body": ${value(0)}, "extra": ${value(1)}}`;
    records.push(record);
    length += record.length + 2;
  }
  return `{"items": [\n${records.join(',\n')}\n]}\n`;
}


interface Timing {
  totalMs: number;
  worstMs: number;
  /** Mean cost of one chunk near the end of the document. */
  endChunkUs: number;
  extrapolated: boolean;
}

type Reparse = (text: string) => unknown;

function summarise(times: number[], tail: number): Omit<Timing, 'extrapolated'> {
  const last = times.slice(-tail);
  return {
    totalMs: times.reduce((a, b) => a + b, 0),
    worstMs: Math.max(...times),
    endChunkUs: (last.reduce((a, b) => a + b, 0) / last.length) * 1000,
  };
}

/** Our parser: each chunk fed once; the value after each feed is the partial value. */
function timeIncremental(chunks: readonly string[], expected: unknown): Timing {
  const parser = createPartialJsonParser();
  const times = new Array<number>(chunks.length);
  for (const [k, piece] of chunks.entries()) {
    const start = performance.now();
    parser.feed(piece);
    times[k] = performance.now() - start;
  }
  const result = parser.end();
  if (!result.complete || !isDeepStrictEqual(result.value, expected)) throw new Error('incremental parser: wrong final value');
  return { ...summarise(times, 1000), extrapolated: false };
}

/** A re-parsing library, on the whole text so far after every chunk. */
async function timeReparse(parse: Reparse, chunks: readonly string[]): Promise<Timing> {
  const times = new Array<number>(chunks.length);
  let text = '';
  for (const [k, piece] of chunks.entries()) {
    text += piece;
    const start = performance.now();
    await parse(text);
    times[k] = performance.now() - start;
  }
  return { ...summarise(times, 1000), extrapolated: false };
}

/**
 * A re-parsing library on a document too long to run fully: time the last `sample`
 * chunks, then assume (as its algorithm implies) a chunk costs in proportion to the
 * text before it, and add that up over every chunk.
 */
async function estimateReparse(parse: Reparse, chunks: readonly string[], sample: number): Promise<Timing> {
  const ends: number[] = [];
  for (let at = 0, k = 0; k < chunks.length; k++) ends.push((at += chunks[k]?.length ?? 0));
  const full = chunks.join('');
  const times: number[] = [];
  let sampledChars = 0;
  for (let k = chunks.length - sample; k < chunks.length; k++) {
    const text = full.slice(0, ends[k]);
    const start = performance.now();
    await parse(text);
    times.push(performance.now() - start);
    sampledChars += text.length;
  }
  const msPerChar = times.reduce((a, b) => a + b, 0) / sampledChars;
  const allChars = ends.reduce((a, b) => a + b, 0);
  return { ...summarise(times, sample), totalMs: msPerChar * allChars, extrapolated: true };
}

const safely =
  (parse: Reparse): Reparse =>
  (text) => {
    try {
      return parse(text);
    } catch {
      // partial-json throws on some prefixes (a lone `-`); the caller still paid for it.
      return undefined;
    }
  };

const competitors: ReadonlyArray<readonly [string, Reparse]> = [
  ['partial-json 0.1 (parse)', safely(partialJsonParse)],
  ['ai 6 (parsePartialJson, async)', (text) => parsePartialJson(text)],
];

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

/** Runs the benchmark and returns its section of docs/benchmarks.md. */
export default async function partialJsonBench(): Promise<BenchSection> {
  const small = makeDocument(50_000, 1);
  const large = makeDocument(500_000, 2);
  const sizes = [
    { name: '50 KB', text: small, chunks: randomChunks(small, random(3), 8) },
    { name: '500 KB', text: large, chunks: randomChunks(large, random(4), 8) },
  ] as const;
  const rows: Array<Array<string | number>> = [];
  const row = (who: string, doc: (typeof sizes)[number], t: Timing) =>
    rows.push([who, doc.name, doc.chunks.length, fmt(t.totalMs), fmt(t.worstMs, 2), fmt(t.endChunkUs, 2), t.extrapolated ? 'estimated' : 'measured']);

  const expected = sizes.map((doc): unknown => JSON.parse(doc.text));
  // Warm-up on both documents first, so the JIT has settled before anything is timed.
  for (const [k, doc] of sizes.entries()) timeIncremental(doc.chunks, expected[k]);
  const ours: Timing[] = [];
  for (const [k, doc] of sizes.entries()) {
    // Median of three runs, as the machine is shared.
    const runs = [0, 1, 2].map(() => timeIncremental(doc.chunks, expected[k])).sort((a, b) => a.totalMs - b.totalMs);
    const median = runs[1] ?? runs[0];
    if (!median) throw new Error('no runs');
    ours.push(median);
    row('ai-stream-chat createPartialJsonParser', doc, median);
  }
  const theirs50: number[] = [];
  for (const [name, parse] of competitors) {
    const full = await timeReparse(parse, sizes[0].chunks);
    theirs50.push(full.totalMs);
    row(name, sizes[0], full);
    row(name, sizes[1], await estimateReparse(parse, sizes[1].chunks, 200));
  }

  const [ours50, ours500] = [ours[0]?.totalMs ?? NaN, ours[1]?.totalMs ?? NaN];
  const fastest = Math.min(...theirs50);
  const speedup = fastest / ours50;
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  return {
    title: 'Partial JSON parser',
    method:
      'Seeded documents of 50 KB and 500 KB (records with escaped strings, raw and escaped emoji, numbers with exponents, ' +
      'nesting up to 5 deep) cut into seeded chunks of 1 to 8 characters; after each chunk each parser is asked for the ' +
      'partial value: ours by feed(chunk), the others by parsing all the text so far (how they are used), the AI SDK one ' +
      'awaited. Times are the sum of per-chunk times (performance.now around each call); "end µs/chunk" is the mean of ' +
      'the last 1000 chunks. Ours: median of three runs after a warm-up, final value checked against JSON.parse. ' +
      'The re-parsing libraries run fully on 50 KB; on 500 KB (minutes each) only the last 200 chunks are timed and the ' +
      'total is estimated from them, each chunk costing in proportion to the text before it (their algorithm re-reads it).',
    columns: ['parser', 'document', 'chunks', 'total ms', 'worst chunk ms', 'end µs/chunk', 'how'],
    rows,
    verdicts: [
      `500 KB total ${fmt(ours500)} ms (budget 200 ms): ${verdict(ours500 < 200)}`,
      `50 KB ${fmt(speedup, 0)}× faster than the fastest re-parsing library (${fmt(fastest)} ms vs ${fmt(ours50)} ms; budget 100×): ${verdict(speedup >= 100)}`,
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const section = await partialJsonBench();
  console.log(`## ${section.title}\n\n${section.method}\n`);
  console.log(`| ${section.columns.join(' | ')} |\n|${section.columns.map(() => ' --- |').join('')}`);
  for (const r of section.rows) console.log(`| ${r.join(' | ')} |`);
  console.log(`\n${section.verdicts.map((v) => `- ${v}`).join('\n')}`);
}
