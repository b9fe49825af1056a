import { describe, expect, it } from 'vitest';
import { SseWriter, encodeEvent } from '../../api/_lib/sse-encoder.js';

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

  it('sends a keep-alive comment while the stream is quiet, and stops after close', async () => {
    const { writer, stream } = capture(50);
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe('retry: 1000\n\n');
    expect(decoder.decode((await reader.read()).value)).toBe(': keep-alive\n\n');
    writer.close();
    expect((await reader.read()).done).toBe(true);
  });

  it('sends the keep-alive only after a full heartbeat of quiet: every write pushes it back', async () => {
    const { writer, stream } = capture(150);
    const chunks: Array<{ at: number; text: string }> = [];
    const startedAt = performance.now();
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) chunks.push({ at: performance.now() - startedAt, text: decoder.decode(chunk) });
    })();
    // Busy for 450 ms (three heartbeats), a write every 50 ms: no keep-alive is due.
    for (let i = 0; i < 9; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      writer.send({ type: 'token', content: String(i) });
    }
    const lastWriteAt = performance.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 260));
    writer.close();
    await reading;
    const keepAlives = chunks.filter((c) => c.text === ': keep-alive\n\n');
    expect(keepAlives).toHaveLength(1);
    expect(keepAlives[0]!.at - lastWriteAt).toBeGreaterThanOrEqual(140);
  });

  it('skips the keep-alive while the client is behind, without spinning its timer', async () => {
    let reads = 0;
    let writer: SseWriter | undefined;
    // Nobody reads this stream: after the first event it is behind for good.
    new ReadableStream<Uint8Array>(
      {
        start(controller) {
          const counted = new Proxy(controller, {
            get(target, key) {
              if (key === 'desiredSize') reads++;
              const value = Reflect.get(target, key, target) as unknown;
              return typeof value === 'function' ? value.bind(target) : value;
            },
          });
          writer = new SseWriter('s', counted, 30);
        },
      },
      { highWaterMark: 10, size: (c) => c.byteLength },
    );
    writer!.send({ type: 'token', content: 'x'.repeat(50) });
    expect(writer!.behind).toBe(true);
    reads = 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    // About one look per heartbeat (10 in 300 ms), not one per millisecond.
    expect(reads).toBeGreaterThan(2);
    expect(reads).toBeLessThan(30);
    writer!.close();
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
