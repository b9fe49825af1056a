/**
 * `ai-stream-chat/server`: the stream endpoint for any Web-standard server (Next.js
 * route handlers, Hono, Vercel functions) and, through `toNodeHandler`, Express and
 * `node:http`. docs/server.md shows each mount.
 */
export { createStreamHandler, type RouteHandler, type StreamHandlers } from './create-stream-handler.js';
export { toNodeHandler } from './node-handler.js';
export type { Env, LimitOptions, ModelOptions, ProviderOptions, RateLimitOptions, ResumeOptions, StreamHandlerOptions } from './stream-handler-options.js';
export { ConfigError, type ProviderKind } from '../api/_lib/config/config.js';
export { createStore } from '../api/_lib/store/create-store.js';
export type { StoreConfig } from '../api/_lib/store/store-config.js';
export type { SharedStore } from '../api/_lib/store/shared-store.js';
export type { IdentifyHook } from '../api/_lib/request/client-identity.js';
export type { Logger, LogEvent, LogFields } from '../api/_lib/ops/log.js';
