/**
 * The script-tag entry: defines `<ai-stream-chat>` and exports what a page may need
 * from script (the element class, the stream client, the event classes).
 */
import './define.js';

export { AiStreamChat } from './ai-stream-chat.js';
export type { ReasoningDisplay } from './ai-stream-chat.js';
export { AiStreamToggleEvent } from './launcher.js';
export type { LauncherPosition } from './launcher.js';
export {
  AiStreamCancelEvent,
  AiStreamDoneEvent,
  AiStreamErrorEvent,
  AiStreamJsonEvent,
  AiStreamStartEvent,
  AiStreamTokenEvent,
} from './events.js';
export { StreamController, StreamStatus } from './stream-controller.js';
export type { AnswerStats, StreamControllerOptions, StreamOutcome } from './stream-controller.js';
export { ChatStream, StreamClient } from './stream-client.js';
export type { StreamCallOptions, StreamClientOptions } from './stream-client.js';
export { isStreamError, StreamError } from './stream-error.js';
export type { ClientErrorCode, StreamErrorCode } from './stream-error.js';
export type { RetryPolicy } from './retry-timing.js';
export { registerLocale } from './i18n.js';
export type { LocaleStrings } from './i18n.js';
export type { Strings } from './strings.js';
export type * from './shared/protocol.js';
