/**
 * A stand-in for the server's resume (`GET ?id=` with `Last-Event-ID`), for the
 * client's side of it while the test server has none (it answers 405 until the resume
 * work is merged). It is a `fetch` for a StreamClient: POSTs and DELETEs go to the real
 * server; each real stream is also read to its end and logged here, event by event,
 * as the server logs it (and, as a server with resume on does, it goes on after the
 * client's connection is gone, until the DELETE of a cancel), so a `GET ?id=` answers the events after `Last-Event-ID` from
 * that log (waiting for the stream to finish), as the server would. The connection the
 * client reads can be cut after so many events: dropped (a network error), failed as
 * Safari fails it (`TypeError: Load failed`), or stalled (nothing more, never closed:
 * a phone's suspended background connection) until the client aborts it.
 */

/** One SSE event as logged: its id and its raw frame. */
interface LoggedEvent {
  seq: number;
  frame: string;
}

interface StreamLog {
  events: LoggedEvent[];
  ended: Promise<void>;
}

/** How the first connection of each stream breaks. */
export interface Cut {
  /** Events passed to the client before the cut (the `retry:` preamble is not one). */
  afterEvents: number;
  how: 'drop' | 'load-failed' | 'stall';
}

/** Options of {@link resumeDouble}. */
export interface ResumeDoubleOptions {
  cut?: Cut;
  /** Adds `"resumable": true` to `start`, as a server with resume on sends it. @default true */
  resumable?: boolean;
  /** Answer every `GET ?id=` with this status instead (a server without the stream). */
  getStatus?: number;
  /** A `GET ?id=` is answered only once this settles (so a test can look at the page before). */
  gate?: Promise<void>;
}

/** A request the double saw. */
export interface SeenRequest {
  method: string;
  id: string | null;
  lastEventId: string | null;
}

/** The double: its `fetch`, what it saw, and the logged text of a stream. */
export interface ResumeDouble {
  fetch: typeof fetch;
  requests: SeenRequest[];
  /** Resolves with the whole text of the stream (its `token` events) once it ended. */
  fullText(streamId: string): Promise<string>;
  /** Resolves once `count` events of the first stream reached the client. */
  delivered(count: number): Promise<void>;
  /** The id of the first stream, once its `start` arrived. */
  firstStreamId(): string | undefined;
}

/** Builds a {@link ResumeDouble}. */
export function resumeDouble(options: ResumeDoubleOptions = {}): ResumeDouble {
  const logs = new Map<string, StreamLog>();
  const requests: SeenRequest[] = [];
  let deliveredCount = 0;
  let firstId: string | undefined;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const markResumable = options.resumable ?? true;

  const onDelivered = (): void => {
    deliveredCount += 1;
    for (const waiter of waiters.filter((w) => w.count <= deliveredCount)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  const fetchDouble: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    requests.push({ method: request.method, id: url.searchParams.get('id'), lastEventId: request.headers.get('Last-Event-ID') });
    if (request.method === 'GET' && url.searchParams.has('id')) return replay(url.searchParams.get('id') ?? '', request);
    if (request.method !== 'POST') return fetch(request);
    // A server with resume on keeps generating after a bare disconnect (only DELETE stops
    // it), so the logged stream outlives the client's connection; without, it goes with it.
    const response = await fetch(input, { ...init, signal: markResumable ? null : (init?.signal ?? null) });
    if (!response.ok || !response.body) return response;
    const [mine, theirs] = response.body.tee();
    const first = logs.size === 0;
    // Ends in an error when the client cancels (the real connection is aborted): that is fine.
    record(mine, (streamId, streamLog) => {
      logs.set(streamId, streamLog);
      if (first) firstId = streamId;
    }).catch(() => undefined);
    const cut = first ? options.cut : undefined;
    const body = relay(theirs, { markResumable, cut, onEvent: first ? onDelivered : () => undefined, signal: request.signal });
    return new Response(body, { status: response.status, headers: response.headers });
  };

  async function replay(streamId: string, request: Request): Promise<Response> {
    if (options.getStatus !== undefined) {
      return Response.json({ error: { code: 'not_found', message: 'No such stream.' } }, { status: options.getStatus });
    }
    const log = logs.get(streamId);
    if (!log) return Response.json({ error: { code: 'not_found', message: 'No such stream.' } }, { status: 404 });
    await log.ended;
    await options.gate;
    const last = request.headers.get('Last-Event-ID');
    const after = last === null ? -1 : Number(last.slice(last.lastIndexOf(':') + 1));
    const frames = log.events.filter((event) => event.seq > after).map((event) => event.frame);
    return new Response(frames.join(''), { headers: { 'Content-Type': 'text/event-stream; charset=utf-8' } });
  }

  return {
    fetch: fetchDouble,
    requests,
    firstStreamId: () => firstId,
    delivered: (count) =>
      new Promise<void>((resolve) => {
        if (deliveredCount >= count) resolve();
        else waiters.push({ count, resolve });
      }),
    async fullText(streamId) {
      const log = logs.get(streamId);
      if (!log) throw new Error(`No stream ${streamId} was logged`);
      await log.ended;
      return log.events
        .map((event) => dataOf(event.frame))
        .flatMap((data) => (data?.type === 'token' && typeof data.content === 'string' ? [data.content] : []))
        .join('');
    },
  };
}

/** Splits an SSE text stream into frames (`…\n\n`); the server writes `\n` line ends. */
async function* frames(body: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<string> {
  let buffer = '';
  for await (const text of body.pipeThrough(new TextDecoderStream())) {
    buffer += text;
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      yield buffer.slice(0, end + 2);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
  }
}

function dataOf(frame: string): Record<string, unknown> | undefined {
  const data = /^data: (.*)$/m.exec(frame)?.[1];
  return data === undefined ? undefined : (JSON.parse(data) as Record<string, unknown>);
}

function seqOf(frame: string): number | undefined {
  const id = /^id: (.*)$/m.exec(frame)?.[1];
  return id === undefined ? undefined : Number(id.slice(id.lastIndexOf(':') + 1));
}

/** Reads a whole real stream into a log, registered under its id once `start` arrives. */
async function record(body: ReadableStream<Uint8Array<ArrayBuffer>>, register: (streamId: string, log: StreamLog) => void): Promise<void> {
  let end = (): void => {};
  const log: StreamLog = { events: [], ended: new Promise<void>((resolve) => (end = resolve)) };
  try {
    for await (const frame of frames(body)) {
      const seq = seqOf(frame);
      if (seq === undefined) continue;
      const data = dataOf(frame);
      if (data?.type === 'start' && typeof data.streamId === 'string') register(data.streamId, log);
      log.events.push({ seq, frame: markStart(frame) });
    }
  } finally {
    end();
  }
}

/** A `start` frame as a server with resume on sends it. */
function markStart(frame: string): string {
  return frame.replace('"type":"start",', '"type":"start","resumable":true,');
}

/** The client's copy of a stream: frame by frame, `start` marked resumable, and broken as `cut` says. */
function relay(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  options: { markResumable: boolean; cut: Cut | undefined; onEvent: () => void; signal: AbortSignal },
): ReadableStream<Uint8Array<ArrayBuffer>> {
  const encoder = new TextEncoder();
  const source = frames(body);
  let events = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      // As a real fetch's body: aborting the request errors it.
      options.signal.addEventListener('abort', () => {
        controller.error(options.signal.reason);
        void source.return(undefined);
      }, { once: true });
    },
    async pull(controller) {
      const cut = options.cut;
      if (cut && events >= cut.afterEvents) {
        await source.return(undefined);
        if (cut.how === 'drop') controller.error(new TypeError('network error'));
        else if (cut.how === 'load-failed') controller.error(new TypeError('Load failed'));
        else {
          // Stalled: nothing more, and no close, until the client aborts the connection (start() errors it then).
          await new Promise<void>((resolve) => {
            if (options.signal.aborted) resolve();
            else options.signal.addEventListener('abort', () => resolve(), { once: true });
          });
        }
        return;
      }
      const next = await source.next();
      if (next.done) {
        controller.close();
        return;
      }
      const frame = next.value;
      if (seqOf(frame) !== undefined) {
        events += 1;
        options.onEvent();
      }
      controller.enqueue(encoder.encode(options.markResumable ? markStart(frame) : frame));
    },
    cancel() {
      void source.return(undefined);
    },
  });
}
