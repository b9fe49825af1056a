import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SseWriter, encodeEvent } from '../../api/_lib/answer/sse-encoder.js';

function capture(heartbeatMs: number): { writer: SseWriter; text: () => string; stream: ReadableStream<Uint8Array> } {
  let writer: SseWriter | undefined;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      writer = new SseWriter('s1', controller, heartbeatMs);
    },
  });
  return { writer: writer!, stream, text: () => '' };
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text;
}

describe('SSE writer', () => {
  it('frames each event with an id and one data line, after a retry field', async () => {
    const { writer, stream } = capture(60_000);
    writer.send({ type: 'token', content: 'line one\nline two\r\n<b>' }, { type: 'metadata', completionTokens: 3 });
    writer.send({ type: 'token', content: 'x' });
    writer.close();
    expect(await readAll(stream)).toBe(
      'retry: 1000\n\n' +
        'id: s1:0\ndata: {"type":"token","content":"line one\\nline two\\r\\n<b>"}\n\n' +
        'id: s1:1\ndata: {"type":"metadata","completionTokens":3}\n\n' +
        'id: s1:2\ndata: {"type":"token","content":"x"}\n\n',
    );
  });

  it('never lets content break the framing', () => {
    const frame = encodeEvent('x:1', { type: 'token', content: '\n\ndata: {"type":"done"}\n\nid: evil\r\r' });
    expect(frame.split('\n').filter(Boolean)).toHaveLength(2);
    expect(frame.includes('\r')).toBe(false);
  });

  describe('heartbeat', () => {
    // The heartbeat is logic about time: the writer reads performance.now(), faked here.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['performance'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('sends a keep-alive comment on a tick a heartbeat after the last write, and nothing after close', async () => {
      let writer!: SseWriter;
      const stream = new ReadableStream<Uint8Array>({ start: (c) => void (writer = new SseWriter('s', c, 50)) }, { highWaterMark: 1e6, size: (c) => c.byteLength });
      vi.advanceTimersByTime(49);
      writer.onTick(performance.now());
      vi.advanceTimersByTime(1);
      writer.onTick(performance.now());
      writer.close();
      vi.advanceTimersByTime(1_000);
      writer.onTick(performance.now());
      expect(await readAll(stream)).toBe('retry: 1000\n\n: keep-alive\n\n');
    });

    it('counts the heartbeat from the last write: a tick before it is due sends nothing', async () => {
      let writer!: SseWriter;
      // Room for everything: the client is never behind here.
      const stream = new ReadableStream<Uint8Array>({ start: (c) => void (writer = new SseWriter('s', c, 1_000)) }, { highWaterMark: 1e6, size: (c) => c.byteLength });
      const tickAt = (ms: number): void => {
        vi.advanceTimersByTime(ms - performance.now());
        writer.onTick(performance.now());
      };
      const t0 = performance.now();
      vi.advanceTimersByTime(900);
      writer.send({ type: 'token', content: 'a' });
      // Due 1,000 ms after the first write (t0) but not after the last one (t0 + 900).
      tickAt(t0 + 1_050);
      tickAt(t0 + 1_899);
      tickAt(t0 + 1_900);
      tickAt(t0 + 2_899);
      writer.close();
      const text = await readAll(stream);
      expect(text.split(': keep-alive\n\n')).toHaveLength(2);
      expect(text.endsWith(': keep-alive\n\n')).toBe(true);
    });

    it('skips the keep-alive while the client is behind, and looks again a heartbeat later', async () => {
      let writer: SseWriter | undefined;
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      // Nobody reads this stream yet: after the first event it is behind.
      const stream = new ReadableStream<Uint8Array>(
        {
          start(c) {
            controller = c;
            writer = new SseWriter('s', c, 100);
          },
        },
        { highWaterMark: 10, size: (c) => c.byteLength },
      );
      writer!.send({ type: 'token', content: 'x'.repeat(50) });
      expect(writer!.behind).toBe(true);
      vi.advanceTimersByTime(100);
      writer!.onTick(performance.now());
      const reader = stream.getReader();
      const decoder = new TextDecoder();
      let text = '';
      // The client catches up: what was queued (one chunk: the retry field rode with the event), and no keep-alive among it.
      text += decoder.decode((await reader.read()).value);
      expect(text).not.toContain('keep-alive');
      expect(writer!.behind).toBe(false);
      // Skipped at 100, so not due again until a heartbeat after that.
      vi.advanceTimersByTime(99);
      writer!.onTick(performance.now());
      expect(controller.desiredSize, 'nothing queued a tick before it is due').toBe(10);
      vi.advanceTimersByTime(1);
      writer!.onTick(performance.now());
      writer!.close();
      expect(decoder.decode((await reader.read()).value)).toBe(': keep-alive\n\n');
      expect((await reader.read()).done).toBe(true);
    });
  });

  it('sends the retry field in the body\'s first write, not in a write of its own', async () => {
    const chunks = async (write: (writer: SseWriter) => void): Promise<string[]> => {
      const { writer, stream } = capture(60_000);
      write(writer);
      writer.close();
      const decoder = new TextDecoder();
      const out: string[] = [];
      for await (const chunk of stream) out.push(decoder.decode(chunk));
      return out;
    };
    const event = encodeEvent('s1:0', { type: 'token', content: 'a' });
    expect(await chunks((w) => w.send({ type: 'token', content: 'a' }))).toEqual(['retry: 1000\n\n' + event]);
    // Frames a producer encoded once for all its readers.
    expect(await chunks((w) => w.writeFrames(new TextEncoder().encode(event)))).toEqual(['retry: 1000\n\n' + event]);
    // A body closed before any event still opens with it.
    expect(await chunks(() => {})).toEqual(['retry: 1000\n\n']);
  });

  it('says when the client is behind', () => {
    let writer: SseWriter | undefined;
    new ReadableStream<Uint8Array>({ start: (c) => void (writer = new SseWriter('s', c, 60_000)) }, { highWaterMark: 100, size: (c) => c.byteLength });
    expect(writer!.behind).toBe(false);
    writer!.send({ type: 'token', content: 'x'.repeat(200) });
    expect(writer!.behind).toBe(true);
    writer!.close();
  });
});
