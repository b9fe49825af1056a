import { loadConfig } from '../_lib/config/config.js';
import { createStreamHandler } from '../_lib/handler.js';
import { loadSharedState } from '../_lib/store/shared-state.js';

/**
 * `/api/chat/stream` on Vercel: POST starts an answer, DELETE ?id= cancels one.
 * Configuration comes from the environment (docs/configuration.md); a malformed
 * value fails the first request with a clear log line rather than streaming garbage.
 * The store and the rate limits are made here, once per instance, so they outlive
 * requests (docs/shared-state.md); on Vercel the client's address comes from
 * `x-forwarded-for`, which Vercel's edge writes.
 */
const handler = createStreamHandler(loadConfig(process.env), loadSharedState(process.env));

export const POST = handler;
export const DELETE = handler;
export const GET = handler;
export const OPTIONS = handler;
