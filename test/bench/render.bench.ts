/**
 * Render bench (issue 13, "Budgets"): a 20,000-token markdown answer with code blocks,
 * streamed at 250 tokens/s into `<ai-stream-chat>` (the built script-tag file and its
 * highlighter chunk) in headless Chromium, on a page under a strict CSP. Per round: the
 * longest main-thread task, the share of wall time the main thread was busy, the
 * longest gap between animation frames, and whether adjacent text was merged.
 *
 * Three variants, same answer: `highlight` (what ships: the CSS Custom Highlight API),
 * `spans` (the alternative: each changed code block re-rendered as token spans after
 * every frame, with the same tokenizer), `plain` (no colours: the baseline).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import type { BenchSection } from './bench-section.js';
import { benchAnswerTokens } from './render/answer.js';
import type { PageRun } from './render/page.js';
import { startRenderServer } from './render/server.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The issue's answer length; RENDER_BENCH_TOKENS shortens it for a quick look (the verdicts then say so). */
const TOKENS = Math.max(100, Number(process.env.RENDER_BENCH_TOKENS) || 20_000);
const TOKENS_PER_SECOND = 250;
const LONG_TASK_BUDGET_MS = 50;
const BUSY_BUDGET = 0.35;
/** Rounds of the shipped variant; the other two run once each (RENDER_BENCH_ROUNDS overrides the first). */
const ROUNDS = Math.max(1, Number(process.env.RENDER_BENCH_ROUNDS) || 2);
const variants = [
  ['highlight', ROUNDS],
  ['spans', 1],
  ['plain', 1],
] as const;
type Variant = (typeof variants)[number][0];

interface Round extends PageRun {
  variant: Variant;
  round: number;
  busyShare: number;
  /** The same from the trace's thread CPU time, which other processes on the machine do not stretch. */
  cpuShare: number;
  longestTaskCpuMs: number;
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Top-level tasks of the renderer's main thread in a Chrome trace: wall and thread CPU time, in ms. */
function mainThreadTasks(trace: Buffer): Array<{ wallMs: number; cpuMs: number }> {
  const events = (JSON.parse(trace.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  return events
    .filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && main.has(`${e.pid}:${e.tid}`))
    .map((e) => ({ wallMs: (e.dur ?? 0) / 1000, cpuMs: (e.tdur ?? e.dur ?? 0) / 1000 }));
}

/** The widget as `npm run build` makes it, from the current sources, into a temporary folder. */
async function buildWidget(outDir: string): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root, configFile: join(root, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

async function pageScript(): Promise<string> {
  const result = await esbuild({
    entryPoints: [join(root, 'test/bench/render/page.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
  });
  return result.outputFiles[0]?.text ?? '';
}

async function runRound(browser: Browser, url: string, variant: Variant, round: number): Promise<Round> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`${url}/?variant=${variant}`);
    await page.waitForFunction(() => 'renderBench' in window && customElements.get('ai-stream-chat') !== undefined);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
    const taskSeconds = async (): Promise<number> =>
      (await cdp.send('Performance.getMetrics')).metrics.find((metric) => metric.name === 'TaskDuration')?.value ?? 0;
    await browser.startTracing(page, { categories: ['toplevel'] });
    const before = await taskSeconds();
    const started = performance.now();
    const run = await page.evaluate(() => (window as unknown as { renderBench(): Promise<PageRun> }).renderBench());
    const wallMs = performance.now() - started;
    const busyShare = ((await taskSeconds()) - before) / (wallMs / 1000);
    const tasks = mainThreadTasks(await browser.stopTracing());
    const cpuShare = tasks.reduce((sum, task) => sum + task.cpuMs, 0) / wallMs;
    const longestTaskCpuMs = Math.max(0, ...tasks.map((task) => task.cpuMs));
    return { ...run, variant, round, busyShare, cpuShare, longestTaskCpuMs };
  } finally {
    await context.close();
  }
}

const ms = (value: number): string => value.toFixed(1);
const pct = (value: number): string => `${(value * 100).toFixed(1)} %`;

function row(r: Round): Array<string | number> {
  const longest = Math.max(0, ...r.longTasks);
  return [
    r.variant,
    r.round,
    (r.wallMs / 1000).toFixed(1),
    r.longTasks.length === 0 ? '< 50 (none)' : ms(longest),
    r.longTasks.length,
    ms(r.longestFrameGapMs),
    pct(r.busyShare),
    pct(r.cpuShare),
    ms(r.longestTaskCpuMs),
    r.textNodes,
    r.adjacentTextNodes,
    r.codeBlocks,
    r.variant === 'spans' ? `${r.spans} spans` : `${r.highlightedRanges} ranges`,
  ];
}

/** The render section of docs/benchmarks.md. */
export default async function renderBench(): Promise<BenchSection> {
  const outDir = mkdtempSync(join(tmpdir(), 'ai-stream-chat-render-'));
  const rounds: Round[] = [];
  let browser: Browser | undefined;
  const server = await (async () => {
    await buildWidget(outDir);
    return startRenderServer({ distDir: outDir, pageScript: await pageScript(), tokens: benchAnswerTokens(TOKENS), tokensPerSecond: TOKENS_PER_SECOND });
  })();
  try {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    for (const [variant, count] of variants) {
      for (let round = 1; round <= count; round++) {
        const result = await runRound(browser, server.url, variant, round);
        rounds.push(result);
        const longest = Math.max(0, ...result.longTasks);
        process.stderr.write(
          `  render ${variant} round ${round}: ${(result.wallMs / 1000).toFixed(1)} s, longest task ${result.longTasks.length ? `${ms(longest)} ms` : '< 50 ms'} ` +
            `(${result.longTasks.length} over 50 ms; ${ms(result.longestTaskCpuMs)} ms CPU), busy ${pct(result.busyShare)} (CPU ${pct(result.cpuShare)}), longest frame gap ${ms(result.longestFrameGapMs)} ms, ` +
            `${result.textNodes} text nodes (${result.adjacentTextNodes} adjacent), ${result.codeBlocks} code blocks\n`,
        );
      }
    }
  } finally {
    await browser?.close();
    await server.close();
    rmSync(outDir, { recursive: true, force: true });
  }

  const shipped = rounds.filter((r) => r.variant === 'highlight');
  const longestCpu = Math.max(0, ...shipped.map((r) => r.longestTaskCpuMs));
  const busiestCpu = Math.max(...shipped.map((r) => r.cpuShare));
  const longestWall = Math.max(0, ...shipped.flatMap((r) => r.longTasks));
  const overWall = shipped.reduce((sum, r) => sum + r.longTasks.length, 0);
  const busiestWall = Math.max(...shipped.map((r) => r.busyShare));
  const adjacent = Math.max(...shipped.map((r) => r.adjacentTextNodes));
  const violations = [...new Set(rounds.flatMap((r) => r.cspViolations))];
  const meanOf = (variant: Variant, pick: (r: Round) => number): number => {
    const of = rounds.filter((r) => r.variant === variant);
    return of.reduce((sum, r) => sum + pick(r), 0) / of.length;
  };
  const compare = (pick: (r: Round) => number): string =>
    (['highlight', 'spans', 'plain'] as const).map((variant) => `${variant} ${pct(meanOf(variant, pick))}`).join(', ');
  return {
    title: 'Rendering a long streamed answer with code blocks',
    method:
      `A ${TOKENS.toLocaleString('en')}-token markdown answer (headings, lists, links, inline code and a code block in every section: TypeScript, Python, shell, and one in four without a language) streamed at ${TOKENS_PER_SECOND} tokens/s over SSE from a local server into \`<ai-stream-chat>\`, built by the project's vite config, in headless Chromium (/usr/bin/chromium --headless --no-sandbox --disable-gpu) on a page under a strict CSP. ` +
      'Each round is traced (Chrome trace category toplevel): every task of the renderer main thread, with its wall and its thread CPU time. The verdicts use CPU time, because on this shared machine other processes stretch wall-clock tasks (wall figures are in the table and a note). Longest task (wall): the Long Tasks API (it reports tasks over 50 ms only, so "< 50" means none). Busy (wall): the main thread\'s task time (DevTools Performance.getMetrics TaskDuration) over the wall time of the answer; busy (CPU): the traced tasks\' thread CPU time over the same wall time. Frame gap: the longest time between two animation frames. Text nodes: in the finished answer; "adjacent" counts text nodes that follow another text node (0 = merged). ' +
      '`highlight` is what ships (CSS Custom Highlight API, ranges over the untouched text node); `spans` re-renders each changed code block as token spans after every frame, with the same tokenizer (how span-based highlighters colour a growing block); `plain` colours nothing. The machine is shared and noisy (two cores, other helpers building and testing): compare variants of the same run.',
    columns: ['Variant', 'Round', 'Wall s', 'Longest task ms (wall)', 'Tasks > 50 ms (wall)', 'Longest frame gap ms', 'Busy (wall)', 'Busy (CPU time)', 'Longest task ms (CPU time)', 'Text nodes', 'Adjacent text nodes', 'Code blocks', 'Colouring'],
    rows: rounds.map(row),
    verdicts: [
      ...(TOKENS === 20_000 ? [] : [`NOTE: ${TOKENS} tokens (RENDER_BENCH_TOKENS), not the issue's 20,000: FAIL as a measurement of the budget`]),
      // Judged on thread CPU time: on a shared machine, other processes stretch wall-clock tasks by whatever the load is.
      `Longest main-thread task (highlight, ${shipped.length} rounds, thread CPU time): ${ms(longestCpu)} ms (budget: none over ${LONG_TASK_BUDGET_MS} ms): ${longestCpu <= LONG_TASK_BUDGET_MS ? 'PASS' : 'FAIL'}`,
      `Main thread busy (highlight, worst round, thread CPU time): ${pct(busiestCpu)} at ${TOKENS_PER_SECOND} tokens/s (budget ≤ ${pct(BUSY_BUDGET)}): ${busiestCpu <= BUSY_BUDGET ? 'PASS' : 'FAIL'}`,
      `Text nodes merged (highlight): ${adjacent} adjacent text nodes: ${adjacent === 0 ? 'PASS' : 'FAIL'}`,
      `CSP violations on the page (all variants): ${violations.length === 0 ? 'none: PASS' : `${violations.join('; ')}: FAIL`}`,
      `NOTE: wall clock, not judged here (the load average above says how many other processes shared the two cores): longest task ${overWall === 0 ? '< 50' : ms(longestWall)} ms, ${overWall} tasks over 50 ms, busy ${pct(busiestWall)}. On an idle machine wall and CPU time agree; rerun there for wall-clock verdicts.`,
      `Variants compared (mean busy, CPU time): ${compare((r) => r.cpuShare)}; wall clock: ${compare((r) => r.busyShare)}.`,
    ],
  };
}
