import os from 'node:os';

/**
 * Small statistics for the benchmarks: medians and quantiles that ignore non-finite
 * values, and the formatting every section uses for figures, ratios and spreads.
 */

/** The `q` quantile (0–1) of the finite values, linearly interpolated; NaN when there are none. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (at - lo);
}

export const medianOf = (values: readonly number[]): number => quantile(values, 0.5);

/** `n` with `digits` decimals, or `n/a`. */
export const fmt = (n: number | undefined, digits = 1): string => (n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits));

/** `a ÷ b` as `1.23×`, or `n/a`. */
export const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || !(b > 0) || !Number.isFinite(a) ? 'n/a' : `${(a / b).toFixed(2)}×`);

/** Every value in order, then min–max: `3.1, 2.9, 3.4 (2.9–3.4)`. */
export function spread(values: readonly number[], digits = 1): string {
  if (values.length === 0) return 'none';
  const finite = values.filter((v) => Number.isFinite(v));
  const range = finite.length > 1 ? ` (${fmt(Math.min(...finite), digits)}–${fmt(Math.max(...finite), digits)})` : '';
  return `${values.map((v) => fmt(v, digits)).join(', ')}${range}`;
}

/** The 1-minute load average now, for the record beside each round. */
export const loadNow = (): number => os.loadavg()[0] ?? 0;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
