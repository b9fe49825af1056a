/**
 * Cold start of a function instance (issue 11): from spawning a fresh Node process to
 * the first byte of the first answer, our `api/chat/stream.ts` beside the AI SDK's chat
 * route, both emitted as plain JavaScript one file at a time as Vercel's Node builder
 * does (transpile.ts), and an empty Node process for the floor both pay. Serverless pays
 * this on every scale-out.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchSection } from './bench-section.js';
import type { ColdStartLine, ColdStartMilestone } from './cold-start-process.js';
import { spawnServer } from './spawn-server.js';
import { transpiledPath } from './transpile.js';

/** Counted rounds per function, the functions alternating in rotating order. */
const COLD_ROUNDS = 10;
/** A short, unpaced answer: the figure is the start-up, not the stream. */
const QUESTION = 'How do streaming chat servers work? [[length:20]][[pace:0,0]]';
/** Longer than any start-up: a child past it has hung. */
const CHILD_TIMEOUT_MS = 30_000;

/** The two functions, an empty process (Node's floor) and a process that only imports zod, which the AI SDK loads (ours no longer does). */
type Kind = 'node' | 'zod' | 'ours' | 'aisdk';
const KINDS: readonly Kind[] = ['node', 'zod', 'ours', 'aisdk'];
const LABELS: Record<Kind, string> = { node: 'empty Node process', zod: 'import of zod alone', ours: 'ours', aisdk: 'AI SDK' };

/** One function as the child process loads it. */
interface ColdFunction {
  kind: Kind;
  /** The emitted function file, or `none` for the empty process. */
  file: string;
  body: string;
  /** How the first text event of its stream begins. */
  marker: string;
}

/** One cold start: each milestone's time from spawn, ms, as the parent saw its line arrive, and the child's CPU time by then. */
interface ColdRound {
  at: Partial<Record<ColdStartMilestone, number>>;
  cpuMs: Partial<Record<ColdStartMilestone, number>>;
  rssMb: number | undefined;
}

async function functions(): Promise<ColdFunction[]> {
  return [
    { kind: 'node', file: 'none', body: '', marker: '' },
    // The package as both functions import it (its ESM build, from the project's node_modules).
    { kind: 'zod', file: fileURLToPath(import.meta.resolve('zod')), body: '', marker: '' },
    {
      kind: 'ours',
      file: await transpiledPath('api/chat/stream.ts'),
      body: JSON.stringify({ messages: [{ role: 'user', content: QUESTION }] }),
      marker: '"type":"token"',
    },
    {
      kind: 'aisdk',
      file: await transpiledPath('test/bench/ai-sdk-route.ts'),
      // useChat's request: UI messages with text parts.
      body: JSON.stringify({ messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: QUESTION }] }] }),
      marker: '"type":"text-delta"',
    },
  ];
}

/** Spawns one fresh process for `fn` and times its milestones from the spawn. */
async function coldStart(entry: string, fn: ColdFunction, env: NodeJS.ProcessEnv): Promise<ColdRound> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, [entry, fn.file, fn.body, fn.marker], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS });
  const round: ColdRound = { at: {}, cpuMs: {}, rssMb: undefined };
  let error: string | undefined;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const at = performance.now() - startedAt;
    let parsed: Partial<ColdStartLine>;
    try {
      parsed = JSON.parse(line) as Partial<ColdStartLine>;
    } catch {
      return;
    }
    // The function's own log lines are not milestones.
    if (parsed.milestone === undefined) return;
    round.at[parsed.milestone] = at;
    if (parsed.cpuMs !== undefined) round.cpuMs[parsed.milestone] = parsed.cpuMs;
    if (parsed.rss !== undefined) round.rssMb = parsed.rss / 2 ** 20;
    if (parsed.error !== undefined) error = parsed.error;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0 || error !== undefined) throw new Error(`${LABELS[fn.kind]} cold start failed (exit ${code}): ${error ?? stderr.trim().slice(0, 300)}`);
  return round;
}

function medianOf(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const fmt = (n: number | undefined, digits = 1): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));

/** The cold-start section of docs/benchmarks.md. */
export default async function coldStartBench(): Promise<BenchSection> {
  const upstream = await spawnServer('upstream');
  try {
    const entry = await transpiledPath('test/bench/cold-start-process.ts');
    const fns = await functions();
    // What a deployment with one provider key sets; nothing inherited (no loader flags, no other keys).
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: upstream.url };

    // One round first, not counted: it reads every file from disk once (a deployed image
    // has them in its own cache or not at all, either way alike for both) and opens the upstream's pool.
    const warmUp = new Map<Kind, number | undefined>();
    for (const fn of fns) warmUp.set(fn.kind, (await coldStart(entry, fn, env)).at['first-byte']);

    const rounds = new Map<Kind, ColdRound[]>(KINDS.map((kind) => [kind, []]));
    for (let round = 0; round < COLD_ROUNDS; round++) {
      process.stderr.write(`  cold start: round ${round + 1} of ${COLD_ROUNDS}\n`);
      for (let k = 0; k < fns.length; k++) {
        const fn = fns[(round + k) % fns.length];
        if (fn) rounds.get(fn.kind)?.push(await coldStart(entry, fn, env));
      }
    }

    const pick = (kind: Kind, milestone: ColdStartMilestone, what: 'at' | 'cpuMs' = 'at'): number[] => (rounds.get(kind) ?? []).map((r) => r[what][milestone] ?? NaN);
    const median = (kind: Kind, milestone: ColdStartMilestone, what: 'at' | 'cpuMs' = 'at'): number => medianOf(pick(kind, milestone, what));
    const cell = (kind: Kind, milestone: ColdStartMilestone, what: 'at' | 'cpuMs' = 'at'): string => {
      const values = pick(kind, milestone, what).filter(Number.isFinite);
      if (values.length === 0) return 'n/a';
      return `${fmt(medianOf(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
    };
    // The empty process's figure at its exit: what Node itself costs before any function code.
    const minus = (kind: Kind, milestone: ColdStartMilestone, what: 'at' | 'cpuMs'): string => fmt(median(kind, milestone, what) - median('node', 'done', what));
    const ratio = (milestone: ColdStartMilestone, what: 'at' | 'cpuMs' = 'at'): string => {
      const ours = median('ours', milestone, what);
      const sdk = median('aisdk', milestone, what);
      return Number.isFinite(ours) && sdk > 0 ? `${(ours / sdk).toFixed(2)}×` : 'n/a';
    };
    const row = (measure: string, milestone: ColdStartMilestone, what: 'at' | 'cpuMs' = 'at'): Array<string | number> => [
      measure,
      cell('ours', milestone, what),
      cell('aisdk', milestone, what),
      minus('ours', milestone, what),
      minus('aisdk', milestone, what),
      ratio(milestone, what),
    ];
    const rssCell = (kind: Kind): string => fmt(medianOf((rounds.get(kind) ?? []).map((r) => r.rssMb ?? NaN)));

    const rows: Array<Array<string | number>> = [
      ['Empty Node process: spawn → its exit line, ms (the floor)', cell('node', 'done'), '', '', '', ''],
      row('Spawn → function module imported (handler made), ms', 'imported'),
      row('Spawn → POST resolved (response headers), ms', 'headers'),
      row('Spawn → first byte of the first answer, ms', 'first-byte'),
      row('Spawn → first text of the first answer, ms', 'first-text'),
      row('Spawn → answer complete (20 tokens), ms', 'done'),
      ['Empty Node process: its CPU time at its exit line, ms', cell('node', 'done', 'cpuMs'), '', '', '', ''],
      // The AI SDK loads zod (ours checks its request body by hand): the share of its import that is zod.
      ['A process that only imports zod (the AI SDK loads it; ours does not): its CPU time at its exit line, ms', '', cell('zod', 'done', 'cpuMs'), '', minus('zod', 'done', 'cpuMs'), ''],
      row('Process CPU time until the module is imported, ms', 'imported', 'cpuMs'),
      row('Process CPU time until the first byte, ms', 'first-byte', 'cpuMs'),
      row('Process CPU time until the first text, ms', 'first-text', 'cpuMs'),
      row('Process CPU time until the answer is complete, ms', 'done', 'cpuMs'),
      ['RSS after the first answer, median MB', rssCell('ours'), rssCell('aisdk'), '', '', `empty process ${rssCell('node')}`],
    ];

    const list = (kind: Kind, milestone: ColdStartMilestone, what: 'at' | 'cpuMs' = 'at'): string => pick(kind, milestone, what).map((v) => fmt(v)).join(', ');
    const fb = (kind: Kind): string => fmt(median(kind, 'first-byte'));
    const verdicts = [
      `Cold start to the first byte of the first answer: ours ${fb('ours')} ms, the AI SDK ${fb('aisdk')} ms (${ratio('first-byte')}); to its first text: ours ${fmt(median('ours', 'first-text'))} ms, the AI SDK ${fmt(median('aisdk', 'first-text'))} ms (${ratio('first-text')}); process CPU time until the first byte: ours ${fmt(median('ours', 'first-byte', 'cpuMs'))} ms, the AI SDK ${fmt(median('aisdk', 'first-byte', 'cpuMs'))} ms (${ratio('first-byte', 'cpuMs')}); medians of ${COLD_ROUNDS}; an empty Node process: ${fmt(median('node', 'done'))} ms, ${fmt(median('node', 'done', 'cpuMs'))} ms of CPU. No budget in issue 11: for information`,
      `Rounds, spawn → first byte, ms, in run order: ours ${list('ours', 'first-byte')}; AI SDK ${list('aisdk', 'first-byte')}`,
      `Rounds, spawn → exit line of the empty Node process, ms: ${list('node', 'done')}`,
      `Rounds, CPU time of a process that only imports zod, ms: ${list('zod', 'done', 'cpuMs')}`,
      `Rounds, spawn → first text, ms: ours ${list('ours', 'first-text')}; AI SDK ${list('aisdk', 'first-text')}`,
      `Rounds, spawn → module imported, ms: ours ${list('ours', 'imported')}; AI SDK ${list('aisdk', 'imported')}`,
      `Rounds, process CPU time until the first byte, ms: ours ${list('ours', 'first-byte', 'cpuMs')}; AI SDK ${list('aisdk', 'first-byte', 'cpuMs')}; empty process at exit ${list('node', 'done', 'cpuMs')}`,
      `Warm-up round (not counted: first read of the files), spawn → first byte, ms: ours ${fmt(warmUp.get('ours'))}; AI SDK ${fmt(warmUp.get('aisdk'))}`,
    ];

    return {
      title: 'Cold start of a function instance',
      method: [
        'Each round spawns a fresh `node` process (no flags, an environment holding only `PATH`, `NODE_ENV=production` and the OpenAI key and base URL) that does what Vercel\'s Node runtime does for a function\'s first request: it imports the function file and calls its exported `POST` with a Web `Request`, reads the streamed answer to its end and exits (`test/bench/cold-start-process.ts`).',
        'Ours is `api/chat/stream.ts`; the AI SDK\'s is `test/bench/ai-sdk-route.ts`, its documented chat route (`streamText` + `toUIMessageStreamResponse()` over `@ai-sdk/openai-compatible`) as a function file.',
        'Both are emitted as plain JavaScript one file at a time, as Vercel\'s Node builder does (`test/bench/transpile.ts`), and import their packages from node_modules as installed (Vercel traces and copies those files, it does not bundle them).',
        `The child writes a line at each milestone; the times are from the parent's spawn() to the line's arrival, so they include Node's own start-up, which the empty process (spawned and timed the same way, exiting at once) shows alone; "− empty" subtracts its median.`,
        'Both send their response headers and a first event (ours `start`, the AI SDK\'s `start`) before the upstream answers, so the first byte does not wait for the provider; the first text does (a new connection to the upstream, its answer, the first token through the function).',
        'The CPU rows are the child\'s own `process.cpuUsage()` (user + system, every thread, Node\'s start-up included) when it writes each milestone: on a loaded machine they move far less than the wall-clock rows, which include waiting for a core.',
        `The answer is 20 tokens from the local upstream (a warm process of its own) with no delay: the upstream adds well under a millisecond.`,
        `${COLD_ROUNDS} counted rounds per function after one warm-up round (not counted: it reads the files from disk for the first time), the three alternating in rotating order; cells are median (min–max).`,
        'Not included, alike for both: the platform\'s own work before the process starts (container, Vercel\'s launcher and its request bridge) and a cold disk.',
      ].join(' '),
      columns: ['Measure', 'ours, median (min–max)', 'AI SDK, median (min–max)', 'ours − empty process', 'AI SDK − empty process', 'ours ÷ AI SDK'],
      rows,
      verdicts,
    };
  } finally {
    await upstream.close();
  }
}
