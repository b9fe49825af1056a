import type { ErrorBody } from '../../../widget/shared/protocol.js';
import type { RateLimitDecision } from './rate-limit-decision.js';

/** Whole seconds from `now` until `at`, rounded up, never negative. */
function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The `RateLimit-*` headers of a decision (IETF draft "RateLimit header fields"):
 * `RateLimit-Reset` is in seconds from now. Useful on successful responses too.
 */
export function rateLimitHeaders(decision: RateLimitDecision, now: number = Date.now()): Record<string, string> {
  return {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(secondsUntil(decision.reset, now)),
  };
}

/** `60000` → `1 min`: the window as a person reads it. */
export function formatWindow(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1_000]] as const) {
    if (ms % size === 0) return `${ms / size} ${unit}`;
  }
  return `${ms} ms`;
}

function message({ reason, limit, windowMs }: RateLimitDecision, wait: number): string {
  const per = windowMs === undefined ? '' : ` per ${formatWindow(windowMs)}`;
  switch (reason) {
    case 'requests':
      return `Too many requests: at most ${limit}${per}. Try again in ${wait} s.`;
    case 'streams':
      return `Too many answers at once: at most ${limit}. Try again when one has finished.`;
    case 'tokens':
      return `Token budget used up: at most ${limit} tokens${per}. Try again in ${wait} s.`;
  }
}

/**
 * The HTTP answer to a refused decision: `429` with `Retry-After` (seconds, at least
 * 1), the `RateLimit-*` headers and `{"error":{"code":"rate_limited","message":…,
 * "limit":…}}`. A refusal because the store is down and the policy is closed is a
 * `503` instead (nothing was counted; the client is not over any limit).
 *
 * @example if (!decision.success) return rateLimitResponse(decision, corsHeaders);
 */
export function rateLimitResponse(decision: RateLimitDecision, headers: Record<string, string> = {}, now: number = Date.now()): Response {
  const wait = Math.max(1, secondsUntil(decision.reset, now));
  if (decision.storeDown) {
    const body: ErrorBody = { error: { code: 'internal_error', message: 'Usage limits cannot be checked right now. Try again shortly.' } };
    return Response.json(body, { status: 503, headers: { ...headers, 'Retry-After': String(wait) } });
  }
  const body: ErrorBody = { error: { code: 'rate_limited', message: message(decision, wait), limit: decision.reason } };
  return Response.json(body, { status: 429, headers: { ...headers, ...rateLimitHeaders(decision, now), 'Retry-After': String(wait) } });
}
