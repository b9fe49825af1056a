/**
 * The servers the server benchmark compares, one line each. A variant of ours is our
 * stream function with some environment variables set on top of the shipped defaults
 * (docs/configuration.md); the phases it joins are listed with it, so a new row is one
 * line here.
 */

/** What a bench server process runs (server-process.ts). */
export type ServerKind = 'upstream' | 'ours' | 'passthrough' | 'aisdk' | 'aisdk-hono';

/** The measurements of the server benchmark; a variant names those it takes part in. */
export type BenchPhase = 'cpu' | 'ttft' | 'burst-200' | 'burst-1000';

/** One server under test. */
export interface BenchVariant {
  /** Stable id, e.g. `ours-limits`. */
  key: string;
  /** Row and column label. */
  label: string;
  kind: Exclude<ServerKind, 'upstream'>;
  /** Environment on top of the provider variables (ours only), as a deployment would set it. */
  env?: Readonly<Record<string, string>>;
  phases: readonly BenchPhase[];
  /**
   * Measures shown for this variant but judged by no issue's budget, each with the reason
   * the verdict line prints: a budget line is a promise an issue made, not every row.
   */
  unbudgeted?: Partial<Record<'cpu' | 'rss', string>>;
}

export const ALL_PHASES: readonly BenchPhase[] = ['cpu', 'ttft', 'burst-200', 'burst-1000'];
/** Coalescing only changes what happens after the first token: CPU is its only figure. */
const CPU_ONLY: readonly BenchPhase[] = ['cpu'];

/**
 * Rate limits that no bench client reaches (every bench stream comes from 127.0.0.1, one
 * client), so every request pays full admitted checks: the request window, a stream slot
 * (1,000 is the most `AI_STREAM_RATE_STREAMS` allows, and the largest burst) and a token
 * reservation (the prompt's byte bound plus maxTokens) before the upstream call.
 */
export const BENCH_RATE_LIMITS: Readonly<Record<string, string>> = {
  AI_STREAM_RATE_REQUESTS: '1000000000/1h',
  AI_STREAM_RATE_STREAMS: '1000',
  AI_STREAM_RATE_TOKENS: '1000000000/1h',
};

/** The baseline every ratio is taken against. */
export const PASS_THROUGH: BenchVariant = { key: 'passthrough', label: 'pass-through', kind: 'passthrough', phases: ALL_PHASES };
/** Ours with the shipped defaults: the row every budget is judged on. */
export const OURS: BenchVariant = { key: 'ours', label: 'ours', kind: 'ours', phases: ALL_PHASES };

/** Every server of the comparison, in column order. */
export const VARIANTS: readonly BenchVariant[] = [
  PASS_THROUGH,
  OURS,
  {
    key: 'ours-coalesce-off',
    label: 'ours, coalescing off',
    kind: 'ours',
    env: { AI_STREAM_COALESCE_MS: '0' },
    phases: CPU_ONLY,
    unbudgeted: { cpu: "the like-for-like row per event that issue 14 asks to show; issue 2's 2x is the shipped defaults' (coalescing on)" },
  },
  { key: 'ours-limits', label: 'ours, rate limits on', kind: 'ours', env: BENCH_RATE_LIMITS, phases: ALL_PHASES },
  // Every answer logged to the (memory) store as it is flushed, as with Redis by default.
  {
    key: 'ours-resume',
    label: 'ours, resume on',
    kind: 'ours',
    env: { AI_STREAM_RESUME: 'on' },
    phases: ALL_PHASES,
    unbudgeted: { rss: "issue 12 holds resume off to 60 KB and lets resume on add the answer's log it keeps for readers that come back; the heap row shows it" },
  },
  // The AI SDK as its Node recipe shows it; 1,000 streams saturate it far from any budget.
  { key: 'aisdk', label: 'AI SDK', kind: 'aisdk', phases: ['cpu', 'ttft', 'burst-200'] },
  { key: 'aisdk-hono', label: 'AI SDK via Hono', kind: 'aisdk-hono', phases: ['cpu'] },
];

/** The variants that take part in `phase`, in column order. */
export const variantsIn = (phase: BenchPhase): BenchVariant[] => VARIANTS.filter((v) => v.phases.includes(phase));
