/**
 * The framework-free stream client alone, without the element (no Lit, no DOM
 * rendering): for apps that draw their own UI.
 */
export { ChatStream, StreamClient } from './stream-client.js';
export type { StreamCallOptions, StreamClientOptions } from './stream-client.js';
export { isStreamError, StreamError } from './stream-error.js';
export type { ClientErrorCode, StreamErrorCode, StreamErrorInit } from './stream-error.js';
export { defaultRetryPolicy } from './retry-timing.js';
export type { RetryPolicy } from './retry-timing.js';
export type * from './shared/protocol.js';
