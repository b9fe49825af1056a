import { loadConfig } from '../_lib/config/config.js';
import { createStreamHandler } from '../_lib/handler.js';

/**
 * `/api/chat/stream` on Vercel: POST starts an answer, DELETE ?id= cancels one.
 * Configuration comes from the environment (docs/configuration.md); a malformed
 * value fails the first request with a clear log line rather than streaming garbage.
 */
const handler = createStreamHandler(loadConfig(process.env));

export const POST = handler;
export const DELETE = handler;
export const GET = handler;
export const OPTIONS = handler;
