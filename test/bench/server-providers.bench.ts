/**
 * Server benchmark, the other provider paths (issue 11): CPU per token of ours (shipped
 * defaults) on the Anthropic and Gemini routes, each against the pass-through of that
 * provider's route, measured like the OpenAI row of server.bench.ts. A section of its
 * own so that `npm run bench -- server` stays short.
 */
import type { BenchSection } from './bench-section.js';
import { OURS, PASS_THROUGH } from './bench-variants.js';
import { fmt, loadNow, medianOf, spread } from './bench-stats.js';
import { PROVIDER_ROUTES, type ProviderRoute } from './provider-routes.js';
import { measureCpu, rounds, type CpuFigures, type CpuLoad } from './server-measure.js';
import { spawnServer } from './spawn-server.js';

const ROUTES: readonly ProviderRoute[] = ['anthropic', 'gemini'];
/** The paced run streams 250 tokens (5 s) to keep the bench short: ours' per-request work then weighs more per token, which errs against ours. */
const LOADS = (route: ProviderRoute): CpuLoad[] => [
  { route, streams: 200, tokens: 250, tokensPerSecond: 50 },
  { route, streams: 200, tokens: 500, tokensPerSecond: 0 },
];
const ROUNDS = 3;
const CPU_RATIO_BUDGET = 2;

export default async function serverProvidersBench(): Promise<BenchSection> {
  const startedAt = performance.now();
  const loadAtStart = loadNow();
  const rows: Array<Array<string | number>> = [];
  const verdicts: string[] = [];
  const notes: string[] = [];
  const upstream = await spawnServer('upstream');
  try {
    for (const route of ROUTES) {
      for (const load of LOADS(route)) {
        const label = `${PROVIDER_ROUTES[route].label} (${load.streams} concurrent × ${load.tokens} tokens, ${load.tokensPerSecond > 0 ? `${load.tokensPerSecond} tokens/s each` : 'unpaced upstream'})`;
        const figures = await rounds<CpuFigures>(`CPU per token, ${label}`, ROUNDS, [PASS_THROUGH, OURS], () => true, (v) => measureCpu(v, upstream.url, load));
        const list = (key: string): CpuFigures[] => (figures.get(key) ?? []).filter((f): f is CpuFigures => f !== undefined && !(f instanceof Error));
        for (const [key, entries] of figures) entries.forEach((f, r) => f instanceof Error && notes.push(`${label}, ${key}, round ${r + 1}: FAILED TO RUN (${f.message})`));
        const ratios = (figures.get(OURS.key) ?? []).flatMap((f, r) => {
          const b = figures.get(PASS_THROUGH.key)?.[r];
          return f && !(f instanceof Error) && b && !(b instanceof Error) ? [f.microsPerToken / b.microsPerToken] : [];
        });
        const r = medianOf(ratios);
        const ours = list(OURS.key).map((f) => f.microsPerToken);
        const base = list(PASS_THROUGH.key).map((f) => f.microsPerToken);
        rows.push([label, fmt(medianOf(ours), 2), fmt(medianOf(base), 2), fmt(r, 2), `≤ ${CPU_RATIO_BUDGET}×`]);
        verdicts.push(`CPU per token, ${label}: ours ${fmt(r, 2)}× the pass-through, median of paired rounds (budget ≤ ${CPU_RATIO_BUDGET}×): ${Number.isFinite(r) && r <= CPU_RATIO_BUDGET ? 'PASS' : 'FAIL'}; rounds, µs/token: ours ${spread(ours, 2)}; pass-through ${spread(base, 2)}; ratios ${spread(ratios, 2)}; load ${list(OURS.key).map((f) => f.load.toFixed(1)).join(', ')}`);
      }
    }
  } finally {
    await upstream.close();
  }
  verdicts.push(`This section took ${((performance.now() - startedAt) / 60_000).toFixed(1)} min; load average (1 min) ${loadAtStart.toFixed(1)} at its start, ${loadNow().toFixed(1)} at its end, on a machine shared with other work.`);
  verdicts.push(...notes.map((n) => `NOTE: ${n}`));
  return {
    title: 'Server: other provider paths vs their pass-through',
    method:
      'As the CPU rows of the server section: ours (shipped defaults) and the byte pass-through each in a fresh process in front of the local upstream, sent on each provider\'s route exactly the request our server sends upstream for that alias (`gpt-4o-mini`, `claude-haiku`, `gemini-flash`; `test/bench/provider-routes.ts`), so both stream the same bytes. CPU per token = the server process\'s user + system CPU time ÷ tokens delivered, after a warm-up of 2 × 200 concurrent short answers, every answer byte-exact; 3 rounds, the two servers alternating; the cells are medians over rounds, the ratio the median of the per-round ratios.',
    columns: ['Route and load', 'ours µs/token', 'pass-through µs/token', 'ours ÷ pass-through (paired)', 'Budget'],
    rows,
    verdicts,
  };
}
