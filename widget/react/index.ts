/** The React entry: the `useAIStream` hook and the element as a typed React component. */
export { useAIStream } from './use-ai-stream.js';
export type { UseAIStreamOptions, UseAIStreamResult } from './use-ai-stream.js';
export { AiStreamChatReact } from './ai-stream-chat-react.js';
export { isStreamError, StreamError } from '../stream-error.js';
export type { StreamErrorCode } from '../stream-error.js';
