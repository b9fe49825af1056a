/** The React entry: the `useAIStream` hook, a safe markdown renderer for its text, and the element as a typed React component. */
export { useAIStream } from './use-ai-stream.js';
export type { UseAIStreamOptions, UseAIStreamResult } from './use-ai-stream.js';
export { AiStreamChatReact } from './ai-stream-chat-react.js';
export { AiStreamMarkdown } from './ai-stream-markdown.js';
export type { AiStreamMarkdownProps } from './ai-stream-markdown.js';
export { isStreamError, StreamError } from '../stream-error.js';
export type { StreamErrorCode } from '../stream-error.js';
