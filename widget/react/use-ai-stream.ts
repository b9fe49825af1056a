import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ChatMessage, StreamRequest, Usage } from '../shared/protocol.js';
import { FrameBatcher } from '../frame-batcher.js';
import { StreamClient, type ChatStream, type StreamClientOptions } from '../stream-client.js';
import { isStreamError, StreamError } from '../stream-error.js';

/** Options of {@link useAIStream}: where to stream from, and what every request carries. */
export interface UseAIStreamOptions extends StreamClientOptions {
  model?: string;
  mode?: 'text' | 'json';
  /** A system prompt sent first with every request. */
  system?: string;
  schema?: Record<string, unknown>;
  temperature?: number;
  maxTokens?: number;
}

/** What {@link useAIStream} returns. */
export interface UseAIStreamResult {
  /** True from `startStream` until the answer ends. */
  streaming: boolean;
  /** The answer so far (updated at most once per animation frame). */
  text: string;
  /** The model's reasoning so far, apart from `text`; empty when the provider streams none (updated with `text`). */
  reasoning: string;
  /** Why the last answer failed; `undefined` while streaming and after success or cancel. */
  error: StreamError | undefined;
  /** Completion tokens so far, as counted by the server (no tokenizer in the browser). */
  tokenCount: number;
  /** The final usage of the last complete answer. */
  usage: Usage | undefined;
  /** Streams an answer to a prompt (or a whole conversation), cancelling one in progress. */
  startStream: (input: string | readonly ChatMessage[]) => Promise<void>;
  /** Stops the answer in progress; `text` keeps what arrived. */
  cancel: () => void;
}

/**
 * Streams answers from the chat endpoint into React state, on the same
 * {@link StreamClient} the element uses. The stream is aborted on unmount, and an
 * answer replaced by a newer one never writes into the state again.
 *
 * @example
 * const { text, streaming, startStream, cancel } = useAIStream({ endpoint: '/api/chat/stream' });
 */
export function useAIStream(options: UseAIStreamOptions = {}): UseAIStreamResult {
  const [streaming, setStreaming] = useState(false);
  const [text, setText] = useState('');
  const [reasoning, setReasoning] = useState('');
  const [error, setError] = useState<StreamError | undefined>(undefined);
  const [tokenCount, setTokenCount] = useState(0);
  const [usage, setUsage] = useState<Usage | undefined>(undefined);
  const latest = useRef(options);
  latest.current = options;
  // The client's options are read when it is made; a new endpoint makes a new client.
  const client = useMemo(() => new StreamClient(latest.current), [options.endpoint]);
  const current = useRef<{ run: number; stream: ChatStream | undefined }>({ run: 0, stream: undefined });
  const pending = useRef('');
  const pendingReasoning = useRef('');
  const frames = useMemo(
    () =>
      new FrameBatcher(() => {
        setText(pending.current);
        setReasoning(pendingReasoning.current);
      }),
    [],
  );

  const cancel = useCallback(() => {
    current.current.run += 1;
    current.current.stream?.cancel();
    current.current.stream = undefined;
    frames.flushNow();
    setStreaming(false);
  }, [frames]);

  const startStream = useCallback(
    async (input: string | readonly ChatMessage[]) => {
      cancel();
      const run = current.current.run;
      const stream = client.stream(buildRequest(input, latest.current));
      current.current.stream = stream;
      pending.current = '';
      pendingReasoning.current = '';
      setText('');
      setReasoning('');
      setError(undefined);
      setTokenCount(0);
      setUsage(undefined);
      setStreaming(true);
      try {
        for await (const event of stream) {
          if (run !== current.current.run) return;
          if (event.type === 'token') {
            pending.current += event.content;
            frames.schedule();
          } else if (event.type === 'reasoning') {
            pendingReasoning.current += event.content;
            frames.schedule();
          } else if (event.type === 'metadata') setTokenCount(event.completionTokens);
          else if (event.type === 'done') {
            setTokenCount(event.usage.completionTokens);
            setUsage(event.usage);
          }
        }
      } catch (failure) {
        if (run !== current.current.run) return;
        const streamError = isStreamError(failure)
          ? failure
          : new StreamError('internal_error', 'Something went wrong while reading the answer.', { retryable: true, cause: failure });
        if (streamError.code !== 'cancelled') setError(streamError);
      }
      if (run !== current.current.run) return;
      frames.flushNow();
      current.current.stream = undefined;
      setStreaming(false);
    },
    [cancel, client, frames],
  );

  useEffect(
    () => () => {
      current.current.run += 1;
      current.current.stream?.cancel();
      frames.cancel();
    },
    [frames],
  );

  return { streaming, text, reasoning, error, tokenCount, usage, startStream, cancel };
}

function buildRequest(input: string | readonly ChatMessage[], options: UseAIStreamOptions): StreamRequest {
  const conversation: ChatMessage[] = typeof input === 'string' ? [{ role: 'user', content: input }] : [...input];
  const system: ChatMessage[] = options.system ? [{ role: 'system', content: options.system }] : [];
  return {
    messages: [...system, ...conversation],
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.mode === undefined ? {} : { mode: options.mode }),
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
  };
}
