import { request as httpRequest, type Agent } from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** The stream formats the benchmark reads: ours, each provider's own (through the pass-through), the AI SDK's UI message stream. */
export type WireFormat = 'ours' | 'openai' | 'anthropic' | 'gemini' | 'ui-message';

/** One server under test, as the load client sees it. */
export interface BenchTarget {
  /** Column label, e.g. "ours". */
  label: string;
  /** Full URL of the endpoint that streams an answer. */
  endpoint: string;
  format: WireFormat;
  /** The request body that asks this server for an answer to `content` (the last user message). */
  body(content: string): string;
  /** Headers beyond content-type, content-length and accept (a provider's key and version headers). */
  headers?: Record<string, string>;
}

/** How one streamed answer went, times from `performance.now()`. */
export interface StreamResult {
  ok: boolean;
  /** Ended by the caller's `signal` (not a failure). */
  cancelled: boolean;
  status: number;
  startedAt: number;
  /** When the first text of the answer reached the client. */
  firstTextAt: number | undefined;
  endedAt: number;
  /** Characters of answer text received (UTF-16 units, as the upstream's deltas are measured). */
  chars: number;
  /** The answer text as received, when `keepText` was set (for byte-exact checks). */
  text: string | undefined;
  error: string | undefined;
}

export interface StreamOptions {
  agent: Agent;
  /** Called whenever text arrives, with the number of characters just received. */
  onText?: (chars: number) => void;
  /** Called once, when the response headers arrive. */
  onOpen?: () => void;
  timeoutMs?: number;
  /** Aborting it ends the stream from the client side, as a visitor leaving. */
  signal?: AbortSignal;
  /** Keep the answer's text in the result, to compare it with the upstream's. */
  keepText?: boolean;
}

type Decoded = { text?: string; end?: true; error?: string };

/** What each format's events mean to the client: text to append, the end, or a failure. */
const DECODERS: Record<WireFormat, (message: EventSourceMessage) => Decoded> = {
  ours(message) {
    const event = JSON.parse(message.data) as { type: string; content?: string; code?: string };
    if (event.type === 'token') return { text: event.content ?? '' };
    if (event.type === 'done') return { end: true };
    if (event.type === 'error') return { error: event.code ?? 'error' };
    return {};
  },
  openai(message) {
    if (message.data === '[DONE]') return { end: true };
    const chunk = JSON.parse(message.data) as { choices?: Array<{ delta?: { content?: string } }>; error?: { message?: string } };
    if (chunk.error) return { error: chunk.error.message ?? 'error' };
    const text = chunk.choices?.[0]?.delta?.content;
    return text ? { text } : {};
  },
  anthropic(message) {
    const event = JSON.parse(message.data) as { type: string; delta?: { type?: string; text?: string }; error?: { type?: string } };
    if (event.type === 'content_block_delta' && event.delta?.type === 'text_delta') return { text: event.delta.text ?? '' };
    if (event.type === 'message_stop') return { end: true };
    if (event.type === 'error') return { error: event.error?.type ?? 'error' };
    return {};
  },
  gemini(message) {
    // No end marker: the event with a finishReason is the last one.
    type Part = { text?: string; thought?: boolean };
    const response = JSON.parse(message.data) as { candidates?: Array<{ content?: { parts?: Part[] }; finishReason?: string }>; error?: { status?: string } };
    if (response.error) return { error: response.error.status ?? 'error' };
    const candidate = response.candidates?.[0];
    const text = (candidate?.content?.parts ?? []).map((part) => (part.thought ? '' : (part.text ?? ''))).join('');
    return { ...(text ? { text } : {}), ...(candidate?.finishReason ? { end: true as const } : {}) };
  },
  'ui-message'(message) {
    if (message.data === '[DONE]') return { end: true };
    const part = JSON.parse(message.data) as { type: string; delta?: string; errorText?: string };
    if (part.type === 'text-delta') return { text: part.delta ?? '' };
    if (part.type === 'error') return { error: part.errorText ?? 'error' };
    return {};
  },
};

/**
 * Streams one answer from `target` over node:http (with the caller's keep-alive agent)
 * and reads it with an SSE parser, as a browser's EventSource-over-fetch would. Never
 * rejects: failures come back as `ok: false` with the reason.
 */
export function streamAnswer(target: BenchTarget, content: string, options: StreamOptions): Promise<StreamResult> {
  const payload = target.body(content);
  const decode = DECODERS[target.format];
  const result: StreamResult = { ok: false, cancelled: false, status: 0, startedAt: performance.now(), firstTextAt: undefined, endedAt: 0, chars: 0, text: options.keepText ? '' : undefined, error: undefined };

  return new Promise((resolve) => {
    let settled = false;
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      result.endedAt = performance.now();
      if (options.signal?.aborted && result.error === undefined) {
        result.cancelled = true;
        error = undefined;
      }
      result.error ??= error;
      result.ok = result.error === undefined;
      resolve(result);
    };
    const parser = createParser({
      onEvent(message) {
        let decoded: Decoded;
        try {
          decoded = decode(message);
        } catch {
          decoded = { error: `unparseable event: ${message.data.slice(0, 80)}` };
        }
        if (decoded.text) {
          result.firstTextAt ??= performance.now();
          result.chars += decoded.text.length;
          if (result.text !== undefined) result.text += decoded.text;
          options.onText?.(decoded.text.length);
        }
        if (decoded.error) result.error ??= decoded.error;
        if (decoded.end) finish();
      },
    });

    const req = httpRequest(target.endpoint, {
      method: 'POST',
      agent: options.agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        accept: 'text/event-stream',
        ...(target.headers ?? {}),
      },
      signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? 120_000), ...(options.signal ? [options.signal] : [])]),
    });
    req.on('response', (res) => {
      result.status = res.statusCode ?? 0;
      options.onOpen?.();
      if (result.status !== 200) result.error = `HTTP ${result.status}`;
      res.setEncoding('utf8');
      res.on('data', (text: string) => parser.feed(text));
      res.on('end', () => finish(result.error ?? 'stream ended without its final event'));
      res.on('error', (error) => finish(error.message));
    });
    req.on('error', (error) => finish(error.message));
    req.end(payload);
  });
}
