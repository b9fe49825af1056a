import { createParser } from 'eventsource-parser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StreamHandlerDeps } from '../../api/_lib/handler.js';
import { MemoryStore } from '../../api/_lib/store/memory-store.js';
import type { SharedStore } from '../../api/_lib/store/shared-store.js';
import type { ErrorBody, StreamEvent } from '../../widget/shared/protocol.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf, waitFor, type ReceivedEvent } from '../support/read-events.js';
import { eventually, startRedisHarness, uniquePrefix, type RedisHarness } from '../support/redis-harness.js';

/**
 * Resume after a dropped connection (docs/protocol.md, "Resume"), through the
 * production path: real HTTP servers on 127.0.0.1 in front of the local upstream; two
 * instances sharing one real Redis through the Upstash REST translator, and one
 * instance on the memory store. A "drop" is the client aborting its fetch: the server
 * sees the connection close, as for a network drop or a closed tab.
 */
let redis: RedisHarness;
beforeAll(async () => {
  redis = await startRedisHarness();
});
afterAll(async () => {
  await redis.stop();
});
let open: TestApi[] = [];
afterEach(async () => {
  await Promise.all([...new Set(open)].map((api) => api.close()));
  open = [];
});

/** In tests, who a client is comes from a header the test sets (a site would read a verified session). */
const byTestHeader: StreamHandlerDeps['identify'] = (request) => request.headers.get('x-test-client') ?? undefined;

interface Backend {
  name: string;
  /** Two instances on one store: two on Redis, or the one memory instance twice. */
  instances(env?: Record<string, string>): Promise<[TestApi, TestApi]>;
}

const backends: Backend[] = [
  {
    name: 'two instances on one Redis',
    async instances(env = {}) {
      const prefix = uniquePrefix();
      // Far above a round trip on a loaded machine: these tests see resume, not the store-down policy.
      const make = (): Promise<TestApi> => startTestApi(env, { deps: { identify: byTestHeader, store: redis.store({ prefix, timeoutMs: 15_000 }) } });
      const pair = await Promise.all([make(), make()]);
      open.push(...pair);
      return pair;
    },
  },
  {
    name: 'one instance with the memory store',
    async instances(env = {}) {
      const api = await startTestApi({ AI_STREAM_RESUME: 'on', ...env }, { deps: { identify: byTestHeader, store: new MemoryStore() } });
      open.push(api);
      return [api, api];
    },
  },
];

function ask(api: TestApi, who: string, content: string, signal?: AbortSignal): Promise<Response> {
  return postChat(api.endpoint, { messages: [{ role: 'user', content }] }, { headers: { 'content-type': 'application/json', 'x-test-client': who }, ...(signal ? { signal } : {}) });
}

function resume(api: TestApi, who: string, id: string, lastEventId?: string): Promise<Response> {
  const headers: Record<string, string> = { 'x-test-client': who, accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  return fetch(`${api.endpoint}?id=${encodeURIComponent(id)}`, { headers });
}

/**
 * Starts an answer and drops the connection after `cut.events` whole events or
 * `cut.bytes` bytes of its body (or lets it run to the end when it is shorter): the body
 * is cancelled, which closes the socket, as a network drop or a closed tab would. A cut
 * by bytes may fall inside a frame: only the events complete before it count as
 * received, as in a browser. `bytes` is the body's length read.
 */
async function askAndDrop(
  api: TestApi,
  who: string,
  content: string,
  cut: { events?: number; bytes?: number },
): Promise<{ id: string; received: ReceivedEvent[]; cut: boolean; bytes: number }> {
  const cutAfterBytes = cut.bytes ?? Number.POSITIVE_INFINITY;
  const response = await ask(api, who, content);
  expect(response.status).toBe(200);
  const id = response.headers.get('x-stream-id') ?? '';
  const received: ReceivedEvent[] = [];
  const parser = createParser({ onEvent: (message) => received.push({ id: message.id, event: JSON.parse(message.data) as StreamEvent }) });
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { id, received, cut: false, bytes };
    const room = cutAfterBytes - bytes;
    bytes += value.byteLength;
    parser.feed(decoder.decode(value.subarray(0, Math.max(0, Math.min(room, value.byteLength))), { stream: true }));
    if (bytes >= cutAfterBytes || (cut.events !== undefined && received.length >= cut.events)) {
      received.splice(cut.events ?? received.length);
      await reader.cancel();
      return { id, received, cut: true, bytes };
    }
  }
}

/** The seqs of numbered events, which must run 0, 1, 2, … */
function seqsOf(events: ReceivedEvent[]): number[] {
  return events.filter((e) => e.id !== undefined).map((e) => Number(e.id?.split(':')[1]));
}

function expectGapless(events: ReceivedEvent[]): void {
  const seqs = seqsOf(events);
  expect(seqs).toEqual(seqs.map((_, i) => i));
}

/** Requests the local upstream received whose body holds `marker`. */
function upstreamCalls(api: TestApi, marker: string): number {
  return api.upstream.stats.requests.filter((r) => JSON.stringify(r.body).includes(marker)).length;
}

function lastEvent(events: ReceivedEvent[]): StreamEvent | undefined {
  return events.at(-1)?.event;
}

/** A text the local upstream echoes back as the answer, so every run of it is the same. */
function echoed(nonce: string, count = 60): string {
  const words = Array.from({ length: count }, (_, i) => `w${i}-${nonce}`);
  return `${words.join(' ')}\n\nsecond line ${nonce} ü ✓ "quoted" \\ back`;
}

describe.each(backends)('$name', (backend) => {
  it('100 random cuts (one in ten past done, answered 204): the text after resuming is byte-identical to an unbroken run, ids are gapless, the upstream ran once per answer', async () => {
    // A short coalescing window and a realistic pace: about ten flushes over 200 ms per answer.
    const [a, b] = await backend.instances({ AI_STREAM_COALESCE_MS: '20' });
    const prompt = (n: string): string => `${echoed(n, 12)} [[echo]] [[pace:0,300]]`;
    const unbrokenResponse = await ask(a, 'amy', prompt('ref'));
    const unbrokenBytes = (await unbrokenResponse.clone().arrayBuffer()).byteLength;
    const unbroken = await readEvents(unbrokenResponse);
    const reference = textOf(unbroken).replaceAll('ref', '');
    expect(reference.length).toBeGreaterThan(80);
    expect(lastEvent(unbroken)).toMatchObject({ type: 'done', finishReason: 'stop' });

    let cuts = 0;
    let pastEnd = 0;
    const one = async (i: number, retry = 0, bodyBytes = unbrokenBytes): Promise<void> => {
      const nonce = `n${i}x${retry}x`;
      // Anywhere in the body, inside a frame or between two; every tenth past its end. A
      // run whose body is shorter than the cut (a busy machine coalesces more) is run
      // again, cut inside its length.
      const toTheEnd = i % 10 === 9;
      const cutAfterBytes = toTheEnd ? Number.POSITIVE_INFINITY : 1 + Math.floor(Math.random() * (bodyBytes - 1));
      const { id, received, cut, bytes } = await askAndDrop(a, 'amy', prompt(nonce), { bytes: cutAfterBytes });
      if (!cut && !toTheEnd && retry < 3) return one(i, retry + 1, bytes);
      cuts++;
      const last = received.at(-1)?.id;
      let events = received;
      if (lastEvent(received)?.type === 'done') {
        // Past the end: once the log has its end (its last append follows done to the
        // client; the race is tested on its own below), nothing to send, and a 204 so
        // that EventSource stops.
        pastEnd++;
        await eventually(() => a.handler.store.readEvents(id, 1_000_000), (read) => read.ok && read.value?.ended === true, 'the log to end');
        const resumed = await resume(i % 2 ? b : a, 'amy', id, last);
        expect(resumed.status, `resume after ${cutAfterBytes} bytes, past done`).toBe(204);
      } else {
        // Cut before the first whole event: the client has no id, and resumes from the start.
        const resumed = await resume(i % 2 ? b : a, 'amy', id, last);
        expect(resumed.status, `resume after ${cutAfterBytes} bytes`).toBe(200);
        expect(resumed.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
        events = [...received, ...(await readEvents(resumed))];
      }
      expectGapless(events);
      expect(events[0]?.event).toMatchObject({ type: 'start', streamId: id, resumable: true });
      expect(lastEvent(events)).toMatchObject({ type: 'done', finishReason: 'stop' });
      expect(textOf(events).replaceAll(nonce, '')).toBe(reference);
      expect(upstreamCalls(a, nonce)).toBe(1);
    };
    for (let batch = 0; batch < 5; batch++) await Promise.all(Array.from({ length: 20 }, (_, j) => one(batch * 20 + j)));
    expect(cuts).toBe(100);
    expect(pastEnd).toBeGreaterThanOrEqual(10);
  }, 120_000);

  it('without Last-Event-ID, GET ?id= replays from the start and follows the live answer to its end', async () => {
    const [a, b] = await backend.instances();
    const response = await ask(a, 'bea', `follow me ${echoed('f')} [[echo]] [[pace:10,400]]`);
    const id = response.headers.get('x-stream-id') ?? '';
    let follower: Promise<ReceivedEvent[]> | undefined;
    const original = await readEvents(response, ({ event }) => {
      if (event.type === 'token' && !follower) follower = resume(b, 'bea', id).then(async (r) => (expect(r.status).toBe(200), readEvents(r)));
    });
    const followed = (await follower) ?? [];
    expectGapless(followed);
    expect(followed.map((e) => e.id)).toEqual(original.map((e) => e.id));
    expect(textOf(followed)).toBe(textOf(original));
    expect(lastEvent(followed)).toMatchObject({ type: 'done', finishReason: 'stop' });
  });

  it.each([
    { ending: 'done', prompt: `ends well ${echoed('d', 12)} [[echo]]`, last: { type: 'done', finishReason: 'stop' } },
    { ending: 'error', prompt: 'ends badly [[fault:error-mid]]', last: { type: 'error' } },
  ])('after the answer ended ($ending): GET without Last-Event-ID replays all of it and closes; at or past its last event it is 204, so EventSource stops', async ({ prompt, last }) => {
    const [a, b] = await backend.instances();
    const response = await ask(a, 'jo', prompt);
    const id = response.headers.get('x-stream-id') ?? '';
    const events = await readEvents(response);
    expect(lastEvent(events)).toMatchObject(last);
    // The last append is sent after the end reached the client: wait for the log to end.
    await eventually(() => a.handler.store.readEvents(id, 1_000_000), (read) => read.ok && read.value?.ended === true, 'the log to end');
    const lastSeq = seqsOf(events).at(-1) ?? -1;
    for (const api of [a, b]) {
      const replay = await resume(api, 'jo', id);
      expect(replay.status).toBe(200);
      const replayed = await readEvents(replay);
      expect(replayed).toEqual(events);
      const before = await resume(api, 'jo', id, `${id}:${lastSeq - 1}`);
      expect(before.status).toBe(200);
      expect(await readEvents(before)).toEqual(events.slice(-1));
      for (const seq of [lastSeq, lastSeq + 1, 999_999]) {
        const after = await resume(api, 'jo', id, `${id}:${seq}`);
        expect(after.status, `Last-Event-ID ${id}:${seq}`).toBe(204);
        expect(await after.text()).toBe('');
      }
      // Someone else still learns nothing about the id.
      expect((await resume(api, 'mallory', id, `${id}:${lastSeq}`)).status).toBe(404);
    }
  });

  it('resumes racing the end of the answer close cleanly: each gets every event after its id once, and one at the end gets nothing', async () => {
    const [a, b] = await backend.instances({ AI_STREAM_COALESCE_MS: '5' });
    const response = await ask(a, 'kit', `race the end ${echoed('r', 20)} [[echo]] [[pace:0,400]]`);
    const id = response.headers.get('x-stream-id') ?? '';
    // A resume from each event, sent the moment the event arrives: the last ones arrive
    // while the producer finishes, and the one from the end as its log is being written.
    const resumes: { from: number; result: Promise<{ status: number; events: ReceivedEvent[] }> }[] = [];
    const events = await readEvents(response, ({ id: eventId }) => {
      if (eventId === undefined) return;
      const from = Number(eventId.split(':')[1]);
      resumes.push({ from, result: resume(from % 2 ? b : a, 'kit', id, eventId).then(async (r) => ({ status: r.status, events: r.status === 200 ? await readEvents(r) : [] })) });
    });
    expect(lastEvent(events)).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(resumes.length).toBe(events.length);
    for (const { from, result } of resumes) {
      const { status, events: resumed } = await result;
      const expected = events.filter((e) => Number(e.id?.split(':')[1]) > from);
      if (expected.length === 0) {
        // From the last event: 204, or (when it came before the log had its end) an empty 200.
        expect([200, 204], `resume from ${from}`).toContain(status);
        expect(resumed, `resume from ${from}`).toEqual([]);
      } else {
        expect(status, `resume from ${from}`).toBe(200);
        expect(resumed, `resume from ${from}`).toEqual(expected);
      }
    }
  });

  it("another client's resume and an unknown id are 404 not_found; a malformed Last-Event-ID or one of another stream is 400", async () => {
    const [a, b] = await backend.instances();
    const response = await ask(a, 'cat', 'not yours [[pace:10,400]] [[length:200]]');
    const id = response.headers.get('x-stream-id') ?? '';
    const notFound = { error: { code: 'not_found', message: 'No such stream is running.' } };
    const theirs = await resume(b, 'mallory', id, `${id}:1`);
    expect(theirs.status).toBe(404);
    expect(await theirs.json()).toEqual(notFound);
    const unknown = await resume(b, 'cat', crypto.randomUUID());
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual(notFound);
    expect((await resume(b, 'cat', 'not-a-stream-id')).status).toBe(404);
    for (const bad of ['12', `${id}:x`, `${id}:-1`, `${crypto.randomUUID()}:3`]) {
      const refused = await resume(b, 'cat', id, bad);
      expect(refused.status, bad).toBe(400);
      expect(((await refused.json()) as ErrorBody).error.code).toBe('bad_request');
    }
    // The owner's stream went on meanwhile.
    expect(lastEvent(await readEvents(response))).toMatchObject({ type: 'done', finishReason: 'stop' });
    // ?models and ?status still answer as before.
    expect((await fetch(`${a.endpoint}?models`)).status).toBe(200);
    expect((await fetch(`${a.endpoint}?status`)).status).toBe(404);
  });

  it('a resume within the grace: no abort, one upstream call, the answer completes', async () => {
    const [a, b] = await backend.instances();
    const marker = `within-${crypto.randomUUID()}`;
    const closed = a.upstream.stats.nextStreamClosed();
    const { id, received, cut } = await askAndDrop(a, 'dan', `${marker} [[pace:10,300]] [[length:300]]`, { events: 4 });
    expect(cut).toBe(true);
    const resumed = await resume(b, 'dan', id, received.at(-1)?.id);
    const events = [...received, ...(await readEvents(resumed))];
    expectGapless(events);
    expect(lastEvent(events)).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect((await closed).reason).toBe('completed');
    expect(upstreamCalls(a, marker)).toBe(1);
  });

  it('the grace runs out with nobody back: the upstream is aborted, and the log ends with done/cancelled', async () => {
    const [a, b] = await backend.instances({ AI_STREAM_RESUME_GRACE_MS: '300' });
    const closed = a.upstream.stats.nextStreamClosed();
    const { id, received } = await askAndDrop(a, 'eve', 'nobody comes back [[pace:10,100]] [[length:2000]]', { events: 3 });
    // An answer left running would take 20 s; the grace aborts it.
    expect((await closed).reason).toBe('client-aborted');
    await waitFor(() => a.logs.some((l) => l.event === 'cancel' && l.streamId === id), 10_000, 'the cancel log line');
    expect(a.logs.find((l) => l.event === 'cancel' && l.streamId === id)).toMatchObject({ reason: 'nobody resumed within the grace' });
    // Coming back after it: the text that was made, then done/cancelled.
    const late = await resume(b, 'eve', id, received.at(-1)?.id);
    expect(late.status).toBe(200);
    const events = [...received, ...(await readEvents(late))];
    expectGapless(events);
    expect(lastEvent(events)).toMatchObject({ type: 'done', finishReason: 'cancelled' });
  });

  it('DELETE after a resume still aborts the upstream at once', async () => {
    const [a, b] = await backend.instances();
    const closed = a.upstream.stats.nextStreamClosed();
    const { id, received } = await askAndDrop(a, 'fay', 'cancel after resuming [[pace:10,100]] [[length:2000]]', { events: 3 });
    const resumed = await resume(b, 'fay', id, received.at(-1)?.id);
    let deleted: Promise<Response> | undefined;
    const events = await readEvents(resumed, ({ event }) => {
      if (event.type === 'token' && !deleted) deleted = fetch(`${b.endpoint}?id=${id}`, { method: 'DELETE', headers: { 'x-test-client': 'fay' } });
    });
    expect((await deleted)?.status).toBe(204);
    expect((await closed).reason).toBe('client-aborted');
    expect(lastEvent(events)).toMatchObject({ type: 'done', finishReason: 'cancelled' });
    expectGapless([...received, ...events]);
  });
});

/**
 * A store whose append carrying the log's end waits until `release()`: the answer's last
 * event has reached its client while the store does not have it yet.
 */
function endHeldBack(store: SharedStore): { store: SharedStore; endAsked: Promise<void>; release: () => void } {
  let release!: () => void;
  let asked!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const endAsked = new Promise<void>((resolve) => (asked = resolve));
  const held = new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (key === 'appendEvents') {
        return async (...args: Parameters<SharedStore['appendEvents']>) => {
          if (args[4]?.end) {
            asked();
            await released;
          }
          return target.appendEvents(...args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: held, endAsked, release };
}

describe('a resume from the last event before the store has it', () => {
  it.each(['redis', 'memory'] as const)('%s: the reader waits for the client\'s own last event, sees it was the end, and closes with nothing (no error)', async (kind) => {
    const prefix = uniquePrefix();
    const shared = kind === 'redis' ? undefined : new MemoryStore();
    const make = (store: SharedStore): Promise<TestApi> => startTestApi({ AI_STREAM_RESUME: 'on' }, { deps: { identify: byTestHeader, store } });
    const held = endHeldBack(shared ?? redis.store({ prefix, timeoutMs: 15_000 }));
    const a = await make(held.store);
    const b = kind === 'redis' ? await make(redis.store({ prefix, timeoutMs: 15_000 })) : a;
    open.push(a, b);
    const response = await ask(a, 'lou', `the end is late ${echoed('l', 12)} [[echo]]`);
    const id = response.headers.get('x-stream-id') ?? '';
    const events = await readEvents(response);
    expect(lastEvent(events)).toMatchObject({ type: 'done', finishReason: 'stop' });
    await held.endAsked;
    const resumed = await resume(b, 'lou', id, events.at(-1)?.id);
    // The store does not know yet that the answer ended: the reader follows the log.
    expect(resumed.status).toBe(200);
    held.release();
    expect(await readEvents(resumed)).toEqual([]);
    // Once the end is in, the same GET is 204.
    await eventually(() => a.handler.store.readEvents(id, 1_000_000), (read) => read.ok && read.value?.ended === true, 'the log to end');
    expect((await resume(b, 'lou', id, events.at(-1)?.id)).status).toBe(204);
  });
});

describe('resume off', () => {
  it('AI_STREAM_RESUME=off: a disconnect aborts the upstream at once, start has no resumable, GET ?id= is 404', async () => {
    const [a] = await backends[0]!.instances({ AI_STREAM_RESUME: 'off' });
    const closed = a.upstream.stats.nextStreamClosed();
    const { id, received } = await askAndDrop(a, 'gus', 'resume is off [[pace:10,100]] [[length:2000]]', { events: 3 });
    expect(received).toHaveLength(3);
    expect(received[0]?.event).not.toHaveProperty('resumable');
    expect((await closed).reason).toBe('client-aborted');
    expect((await resume(a, 'gus', id, received.at(-1)?.id)).status).toBe(404);
  });

  it('the memory store by default (auto): no log, a disconnect aborts at once', async () => {
    const api = await startTestApi({}, { deps: { identify: byTestHeader } });
    open.push(api);
    expect(api.handler.resumable).toBe(false);
  });
});

describe('store commands per answer', () => {
  it('at most one append per flush, plus a small constant', async () => {
    const [a] = await backends[0]!.instances();
    const response = await ask(a, 'hal', `count my commands ${echoed('c')} [[echo]] [[pace:10,1000]]`);
    const id = response.headers.get('x-stream-id') ?? '';
    const events = await readEvents(response);
    expect(lastEvent(events)).toMatchObject({ type: 'done' });
    // The last append is sent after done reached the client: read the log until it has ended.
    let ownReads = 0;
    await eventually(
      () => (ownReads++, a.handler.store.readEvents(id, 1_000_000)),
      (read) => read.ok && read.value?.ended === true,
      'the log to end',
    );
    // The cancel watcher's MGET is one per instance per poll, for all its streams: not the answer's.
    const commands = redis.rest.commandsMentioning(id).filter((c) => c[0] !== 'MGET').slice(0, -ownReads);
    const appends = commands.filter((c) => c[0]?.toUpperCase().startsWith('EVAL'));
    // A flush is one write to the client: a token (with the metadata riding on it), a retry, start; done leaves with the last one.
    const flushes = events.filter((e) => e.event.type !== 'metadata').length;
    expect(appends.length).toBeLessThanOrEqual(flushes);
    expect(commands.length).toBeLessThanOrEqual(flushes + 2);
    console.log(`store commands for one answer: ${commands.length} (${appends.length} appends) for ${events.length} events, ${flushes} flushes at most`);
  });
});

describe('the store down mid-stream', () => {
  it('the live answer completes; a resume gets a clean 404 or 503; the process stays up', async () => {
    const own = await startRedisHarness();
    try {
      const prefix = uniquePrefix();
      const make = (): Promise<TestApi> => startTestApi({}, { deps: { identify: byTestHeader, store: own.store({ prefix, timeoutMs: 500 }) } });
      const [a, b] = await Promise.all([make(), make()]);
      open.push(a, b);
      const response = await ask(a, 'ivy', 'running when Redis stops [[pace:20,100]] [[length:150]]');
      const id = response.headers.get('x-stream-id') ?? '';
      let stopped: Promise<void> | undefined;
      const events = await readEvents(response, ({ event }) => {
        if (event.type === 'token') stopped ??= own.server.stop();
      });
      await stopped;
      expect(lastEvent(events)).toMatchObject({ type: 'done', finishReason: 'stop' });
      expect(a.logs.filter((l) => l.event === 'resume_off' && l.streamId === id)).toHaveLength(1);
      for (const api of [a, b]) {
        const answer = await resume(api, 'ivy', id, events[1]?.id);
        expect([404, 503]).toContain(answer.status);
        expect(['not_found', 'internal_error']).toContain(((await answer.json()) as ErrorBody).error.code);
      }
      // Still serving.
      expect((await fetch(`${a.endpoint}?models`)).status).toBe(200);
    } finally {
      await own.stop();
    }
  });
});
