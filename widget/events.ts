import type { FinishReason, Usage } from './shared/protocol.js';
import type { StreamError } from './stream-error.js';

// Every event leaves the shadow root and bubbles, so a page can listen on the element
// or on any ancestor.
const init: EventInit = { bubbles: true, composed: true };

/** An answer started streaming: the server accepted the request and picked a model. */
export class AiStreamStartEvent extends Event {
  static readonly eventName = 'ai-stream-start';
  readonly streamId: string;
  readonly model: string;
  readonly provider: string;

  constructor(streamId: string, model: string, provider: string) {
    super(AiStreamStartEvent.eventName, init);
    this.streamId = streamId;
    this.model = model;
    this.provider = provider;
  }
}

/** A piece of the answer arrived. */
export class AiStreamTokenEvent extends Event {
  static readonly eventName = 'ai-stream-token';
  /** The new piece. */
  readonly content: string;
  /** The whole answer so far. */
  readonly text: string;

  constructor(content: string, text: string) {
    super(AiStreamTokenEvent.eventName, init);
    this.content = content;
    this.text = text;
  }
}

/** In JSON mode: the answer's value so far, parsed from incomplete JSON. */
export class AiStreamJsonEvent extends Event {
  static readonly eventName = 'ai-stream-json';
  /** The partial value (`undefined` until the first value starts). */
  readonly value: unknown;
  /** True once the document is complete. */
  readonly complete: boolean;

  constructor(value: unknown, complete: boolean) {
    super(AiStreamJsonEvent.eventName, init);
    this.value = value;
    this.complete = complete;
  }
}

/** The answer is complete. */
export class AiStreamDoneEvent extends Event {
  static readonly eventName = 'ai-stream-done';
  readonly text: string;
  readonly usage: Usage;
  readonly finishReason: FinishReason;
  /** Output tokens per second, from the first token to the end. */
  readonly tokensPerSecond: number | undefined;

  constructor(text: string, usage: Usage, finishReason: FinishReason, tokensPerSecond: number | undefined) {
    super(AiStreamDoneEvent.eventName, init);
    this.text = text;
    this.usage = usage;
    this.finishReason = finishReason;
    this.tokensPerSecond = tokensPerSecond;
  }
}

/** The answer failed; the text received so far stays on screen. */
export class AiStreamErrorEvent extends Event {
  static readonly eventName = 'ai-stream-error';
  readonly error: StreamError;
  /** The text received before the error. */
  readonly text: string;

  constructor(error: StreamError, text: string) {
    super(AiStreamErrorEvent.eventName, init);
    this.error = error;
    this.text = text;
  }
}

/** The answer was cancelled (Cancel button, Esc, a newer answer, or the element's removal). */
export class AiStreamCancelEvent extends Event {
  static readonly eventName = 'ai-stream-cancel';
  /** The text received before the cancel. */
  readonly text: string;

  constructor(text: string) {
    super(AiStreamCancelEvent.eventName, init);
    this.text = text;
  }
}

declare global {
  interface HTMLElementEventMap {
    'ai-stream-start': AiStreamStartEvent;
    'ai-stream-token': AiStreamTokenEvent;
    'ai-stream-json': AiStreamJsonEvent;
    'ai-stream-done': AiStreamDoneEvent;
    'ai-stream-error': AiStreamErrorEvent;
    'ai-stream-cancel': AiStreamCancelEvent;
  }
}
