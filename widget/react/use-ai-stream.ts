import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ChatMessage, StreamRequest, Usage } from '../shared/protocol.js';
import { decodeRecord, encodeRecord } from '../chat-record.js';
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
  /**
   * Keeps the answer in progress in `sessionStorage` under this key (its stream id, last
   * event id and text so far; removed when it ends), so that after a reload the hook
   * takes it up again on mount: `text` shows what it had at once and the rest streams
   * in, where the server offers resume; otherwise it ends with `stream_interrupted`,
   * keeping that text. The conversation stays the app's to keep. Read once, on mount.
   */
  resumeKey?: string;
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

  /** Where the answer in progress stands, kept for a reload (`resumeKey`) or forgotten once it ended. */
  const keep = useCallback((stream: ChatStream | undefined, before: { text: string; reasoning: string }) => {
    const key = latest.current.resumeKey;
    if (!key) return;
    const streamId = stream?.streamId;
    const raw =
      stream && streamId !== undefined
        ? encodeRecord({
            messages: [],
            live: { streamId, lastEventId: stream.lastEventId, text: before.text + stream.text, reasoning: before.reasoning + stream.reasoning },
          })
        : undefined;
    try {
      if (raw) sessionStorage.setItem(key, raw);
      else sessionStorage.removeItem(key);
    } catch {
      // No storage (a sandboxed frame): nothing outlives a reload.
    }
  }, []);

  const cancel = useCallback(() => {
    current.current.run += 1;
    current.current.stream?.cancel();
    current.current.stream = undefined;
    keep(undefined, { text: '', reasoning: '' });
    frames.flushNow();
    setStreaming(false);
  }, [frames, keep]);

  const follow = useCallback(
    async (stream: ChatStream, before: { text: string; reasoning: string }) => {
      cancel();
      const run = current.current.run;
      current.current.stream = stream;
      pending.current = before.text;
      pendingReasoning.current = before.reasoning;
      setText(before.text);
      setReasoning(before.reasoning);
      setError(undefined);
      setTokenCount(0);
      setUsage(undefined);
      setStreaming(true);
      const onHidden = (): void => {
        if (document.visibilityState === 'hidden') keep(stream, before);
      };
      const listening = new AbortController();
      addEventListener('pagehide', onHidden, { signal: listening.signal });
      document.addEventListener('visibilitychange', onHidden, { signal: listening.signal });
      try {
        for await (const event of stream) {
          if (run !== current.current.run) return;
          if (event.type === 'start') keep(stream, before);
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
      } finally {
        listening.abort();
        // It ended (a cancel or a newer stream forgot it already): nothing to take up after a reload.
        if (run === current.current.run) keep(undefined, before);
      }
      if (run !== current.current.run) return;
      frames.flushNow();
      current.current.stream = undefined;
      setStreaming(false);
    },
    [cancel, frames, keep],
  );

  const startStream = useCallback(
    (input: string | readonly ChatMessage[]) => follow(client.stream(buildRequest(input, latest.current)), { text: '', reasoning: '' }),
    [client, follow],
  );

  useEffect(() => {
    const key = latest.current.resumeKey;
    let raw: string | null = null;
    try {
      raw = key ? sessionStorage.getItem(key) : null;
    } catch {
      // No storage: nothing to take up.
    }
    const live = raw === null ? undefined : decodeRecord(raw, resumeMaxAgeMs)?.live;
    if (!live) return undefined;
    // A task later: StrictMode's trial unmount comes first and clears it, so only the real mount resumes.
    const timer = setTimeout(() => void follow(client.resume(live.streamId, live.lastEventId), live));
    return () => clearTimeout(timer);
    // Once, on mount: a reload is the only way such a record comes to be.
  }, []);

  useEffect(
    () => () => {
      current.current.run += 1;
      // Cancelled at the server too (a logged stream gets its DELETE): nothing to take up.
      if (current.current.stream) keep(undefined, { text: '', reasoning: '' });
      current.current.stream?.cancel();
      frames.cancel();
    },
    [frames, keep],
  );

  return { streaming, text, reasoning, error, tokenCount, usage, startStream, cancel };
}

// An answer kept for a reload is taken up within the hour; the server's log is shorter anyway.
const resumeMaxAgeMs = 60 * 60 * 1000;

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
