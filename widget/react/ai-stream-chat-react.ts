import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { AiStreamChat } from '../ai-stream-chat.js';
import type {
  AiStreamCancelEvent,
  AiStreamDoneEvent,
  AiStreamErrorEvent,
  AiStreamJsonEvent,
  AiStreamStartEvent,
  AiStreamTokenEvent,
} from '../events.js';
import '../define.js';

/**
 * `<ai-stream-chat>` as a React component: attributes and properties as props
 * (`endpoint`, `mode`, `messages`, `schema`…), and the element's events as typed
 * callbacks.
 *
 * @example
 * <AiStreamChatReact endpoint="/api/chat/stream" onDone={(event) => console.log(event.usage)} />
 */
export const AiStreamChatReact = createComponent({
  tagName: 'ai-stream-chat',
  elementClass: AiStreamChat,
  react: React,
  events: {
    onStart: 'ai-stream-start' as EventName<AiStreamStartEvent>,
    onToken: 'ai-stream-token' as EventName<AiStreamTokenEvent>,
    onJson: 'ai-stream-json' as EventName<AiStreamJsonEvent>,
    onDone: 'ai-stream-done' as EventName<AiStreamDoneEvent>,
    onError: 'ai-stream-error' as EventName<AiStreamErrorEvent>,
    onCancel: 'ai-stream-cancel' as EventName<AiStreamCancelEvent>,
  },
  displayName: 'AiStreamChat',
});
