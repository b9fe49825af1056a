import { ConfigError } from './config-error.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether answers are logged for resume (docs/shared-state.md, "Resume"):
 * `auto` logs them when the store is shared (Redis), `on` with any store (a single
 * long-running server with the memory store), `off` never.
 */
export type ResumeMode = 'auto' | 'on' | 'off';

/** Resume after a dropped connection, read by `loadResumeConfig`. */
export interface ResumeConfig {
  mode: ResumeMode;
  /**
   * How long an answer whose readers all left goes on into the log before its upstream
   * is aborted, waiting for a reader to come back.
   * @default 15000
   */
  graceMs: number;
  /**
   * How often a reader on another instance than the producer reads the log.
   * @default 150
   */
  pollMs: number;
}

/** The defaults: logged with a shared store, a 15 s grace, a poll every 150 ms. */
export const DEFAULT_RESUME_CONFIG: ResumeConfig = { mode: 'auto', graceMs: 15_000, pollMs: 150 };

/**
 * Reads `AI_STREAM_RESUME` (auto | on | off), `AI_STREAM_RESUME_GRACE_MS` and
 * `AI_STREAM_RESUME_POLL_MS`. Throws a ConfigError naming the variable when a value is
 * malformed.
 *
 * @example loadResumeConfig({ AI_STREAM_RESUME: 'on', AI_STREAM_RESUME_GRACE_MS: '30000' })
 */
export function loadResumeConfig(env: Env = process.env): ResumeConfig {
  const mode = env.AI_STREAM_RESUME?.trim().toLowerCase() || 'auto';
  if (mode !== 'auto' && mode !== 'on' && mode !== 'off') throw new ConfigError(`AI_STREAM_RESUME must be auto, on or off; it is "${mode}".`);
  return {
    mode,
    graceMs: whole(env, 'AI_STREAM_RESUME_GRACE_MS', DEFAULT_RESUME_CONFIG.graceMs, 0, 120_000),
    pollMs: whole(env, 'AI_STREAM_RESUME_POLL_MS', DEFAULT_RESUME_CONFIG.pollMs, 50, 2_000),
  };
}

/** Whether answers are logged, given the mode and the store's kind. */
export function resumeEnabled(config: ResumeConfig, storeKind: 'memory' | 'redis'): boolean {
  return config.mode === 'on' || (config.mode === 'auto' && storeKind !== 'memory');
}

function whole(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; it is "${raw}".`);
  return n;
}
