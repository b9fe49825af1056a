import type { StreamEvent } from '../../../widget/shared/protocol.js';
import type { BodySink } from './body-sink.js';

/**
 * Response headers of every event stream. A plain record, not `Headers`: Node adapters
 * (Hono's among them) write a record straight to the response, where `Headers` costs a
 * map and a conversion per request.
 */
export function sseHeaders(streamId: string, extra?: Record<string, string>): Record<string, string> {
  return {
    ...extra,
    'content-type': 'text/event-stream; charset=utf-8',
    // no-transform keeps compression middleware and proxies from buffering the stream.
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    'x-stream-id': streamId,
  };
}

/** One SSE frame. JSON.stringify escapes CR and LF, so `data` is always one line. */
export function encodeEvent(id: string, event: StreamEvent): string {
  return `id: ${id}\ndata: ${JSON.stringify(event)}\n\n`;
}

const encoder = new TextEncoder();

/** How long a browser's EventSource waits before it reconnects. */
const DEFAULT_RETRY_MS = 1000;

/** An event without an id: one a reader adds itself (it is not in the answer's log, and takes no seq). */
export function encodeUnnumbered(event: StreamEvent): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

/**
 * Writes one stream's SSE bytes into its response body: ids `streamId:seq`, a `retry:`
 * field first (in the body's first write, not one of its own: on a Node mount each
 * write is a syscall, and the first frame may wait for the answer's first event), and a
 * `: keep-alive` comment when nothing went out for `heartbeatMs` (proxies close idle
 * connections: nginx and load balancers after 60 s). A heartbeat is
 * skipped while the client is behind: its connection is not idle then. The writer has
 * no timer of its own: the stream's clock calls `onTick` (StreamClock).
 */
export class SseWriter {
  readonly #streamId: string;
  readonly #controller: BodySink;
  readonly #heartbeatMs: number;
  #seq = 0;
  #lastSent = performance.now();
  #closed = false;
  #corked: string | undefined;
  /** The `retry:` field, until the first write takes it along. */
  #opening: string | undefined;

  constructor(streamId: string, controller: BodySink, heartbeatMs: number, retryMs = DEFAULT_RETRY_MS) {
    this.#streamId = streamId;
    this.#controller = controller;
    this.#heartbeatMs = heartbeatMs;
    this.#opening = `retry: ${retryMs}\n\n`;
  }

  /** Frames the events into one chunk (one write downstream). */
  send(...events: StreamEvent[]): void {
    let text = '';
    for (const event of events) text += encodeEvent(`${this.#streamId}:${this.#seq++}`, event);
    this.#enqueue(text);
  }

  /** Writes frames already made (an answer's, numbered by its producer) as they are. */
  writeFrames(frames: string | Uint8Array): void {
    if (typeof frames === 'string') return this.#enqueue(frames);
    if (this.#closed) return;
    if (this.#opening !== undefined) frames = this.#withOpening(frames);
    try {
      this.#controller.enqueue(frames);
      this.#lastSent = performance.now();
    } catch {
      this.#closed = true;
    }
  }

  /** Holds what is sent until `close`, so the last frames leave in one write. */
  cork(): void {
    this.#corked ??= '';
  }

  /** True when the client has not taken what was sent (time to pause the upstream). */
  get behind(): boolean {
    return !this.#closed && (this.#controller.desiredSize ?? 0) <= 0;
  }

  close(): void {
    if (this.#closed) return;
    const corked = this.#corked;
    this.#corked = undefined;
    // A body closed before its first write still opens with `retry:`.
    if (corked || this.#opening !== undefined) this.#enqueue(corked ?? '');
    this.#closed = true;
    try {
      this.#controller.close();
    } catch {
      // Already cancelled by the client.
    }
  }

  /** The body was cancelled downstream; nothing more may be enqueued. */
  abandon(): void {
    this.#closed = true;
  }

  /** Sends the heartbeat when nothing went out for `heartbeatMs` (`now` from performance.now()). */
  onTick(now: number): void {
    if (this.#closed || now - this.#lastSent < this.#heartbeatMs) return;
    if ((this.#controller.desiredSize ?? 0) > 0) this.#enqueue(': keep-alive\n\n');
    // Behind: the connection is not idle; look again a heartbeat later.
    else this.#lastSent = now;
  }

  #withOpening(frames: Uint8Array): Uint8Array {
    const opening = encoder.encode(this.#opening);
    this.#opening = undefined;
    const bytes = new Uint8Array(opening.byteLength + frames.byteLength);
    bytes.set(opening);
    bytes.set(frames, opening.byteLength);
    return bytes;
  }

  #enqueue(text: string): void {
    if (this.#closed) return;
    if (this.#corked !== undefined) {
      this.#corked += text;
      return;
    }
    if (this.#opening !== undefined) {
      text = this.#opening + text;
      this.#opening = undefined;
    }
    try {
      this.#controller.enqueue(encoder.encode(text));
      this.#lastSent = performance.now();
    } catch {
      this.#closed = true;
    }
  }
}
