/**
 * How fast the local upstream "thinks" and "types".
 *
 * `tokensPerSecond: 0` means unlimited (write as fast as the reader takes it) and
 * `firstTokenMs: 0` means no initial wait, so `{ firstTokenMs: 0, tokensPerSecond: 0 }`
 * is the no-delay pace tests use.
 */
export interface Pace {
  /** Wait before the first chunk (time to first token). */
  firstTokenMs: number;
  /** Steady output rate after the first token; 0 = unlimited. */
  tokensPerSecond: number;
  /**
   * Send the first token at `firstTokenMs` to within a few microseconds, not at Node's
   * millisecond timer granularity (a benchmark of time to first token: a timer fires up
   * to 1 ms late depending on where in a millisecond the request landed, which turns a
   * server's sub-millisecond cost into 0 or 1 ms at random). Costs a spin of the event
   * loop for the last 2 ms, so only for one stream at a time.
   */
  exact?: boolean;
}

/** Roughly what a small hosted model feels like: ~300 ms to first token, ~50 tokens/s. */
export const DEFAULT_PACE: Readonly<Pace> = Object.freeze({ firstTokenMs: 300, tokensPerSecond: 50 });

/** No waiting at all. */
export const NO_DELAY: Readonly<Pace> = Object.freeze({ firstTokenMs: 0, tokensPerSecond: 0 });

function nonNegative(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The pace a server runs at: explicit options win, then the environment
 * (`UPSTREAM_FIRST_TOKEN_MS`, `UPSTREAM_TOKENS_PER_SECOND`), then {@link DEFAULT_PACE}.
 * Invalid values fall back rather than throw, so a typo never stops the demo.
 */
export function resolvePace(option: Partial<Pace> | undefined, env: Readonly<Record<string, string | undefined>>): Pace {
  return {
    firstTokenMs:
      nonNegative(option?.firstTokenMs) ?? nonNegative(env['UPSTREAM_FIRST_TOKEN_MS']) ?? DEFAULT_PACE.firstTokenMs,
    tokensPerSecond:
      nonNegative(option?.tokensPerSecond) ??
      nonNegative(env['UPSTREAM_TOKENS_PER_SECOND']) ??
      DEFAULT_PACE.tokensPerSecond,
  };
}

/** Milliseconds between two tokens at this pace; 0 when unlimited. */
export function tokenIntervalMs(pace: Pace): number {
  return pace.tokensPerSecond > 0 ? 1000 / pace.tokensPerSecond : 0;
}
