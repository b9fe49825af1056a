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

  it('sends a keep-alive comment on a tick after a quiet heartbeat, and nothing after close', async () => {
    const { writer, stream } = capture(50);
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toBe('retry: 1000\n\n');
    writer.onTick(performance.now() + 50);
    expect(decoder.decode((await reader.read()).value)).toBe(': keep-alive\n\n');
    writer.close();
    writer.onTick(performance.now() + 1_000);
    expect((await reader.read()).done).toBe(true);
  });

  it('counts the heartbeat from the last write: a tick before it is due sends nothing', async () => {
    let writer!: SseWriter;
    // Room for everything: the client is never behind here.
    const stream = new ReadableStream<Uint8Array>({ start: (c) => void (writer = new SseWriter('s', c, 1_000)) }, { highWaterMark: 1e6, size: (c) => c.byteLength });
    const startedAt = performance.now();
    writer.onTick(startedAt + 900);
    writer.send({ type: 'token', content: 'a' });
    const wroteAt = performance.now();
    // Due 1,000 ms after the first write but not after the last one.
    writer.onTick(startedAt + 1_050);
    writer.onTick(wroteAt + 990);
    writer.onTick(wroteAt + 1_000);
    writer.close();
    const text = await readAll(stream);
    expect(text.split(': keep-alive\n\n')).toHaveLength(2);
    expect(text.endsWith(': keep-alive\n\n')).toBe(true);
  });

  it('skips the keep-alive while the client is behind, and looks again a heartbeat later', async () => {
    let writer: SseWriter | undefined;
    // Nobody reads this stream yet: after the first event it is behind.
    const stream = new ReadableStream<Uint8Array>({ start: (c) => void (writer = new SseWriter('s', c, 100)) }, { highWaterMark: 10, size: (c) => c.byteLength });
    writer!.send({ type: 'token', content: 'x'.repeat(50) });
    expect(writer!.behind).toBe(true);
    const now = performance.now();
    writer!.onTick(now + 100);
    const reader = stream.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The client catches up: what was queued, and no keep-alive among it.
    for (let i = 0; i < 2; i++) text += decoder.decode((await reader.read()).value);
    expect(text).not.toContain('keep-alive');
    expect(writer!.behind).toBe(false);
    // Skipped at now + 100, so not due again until a heartbeat after that.
    writer!.onTick(now + 150);
    writer!.onTick(now + 200);
    expect(decoder.decode((await reader.read()).value)).toBe(': keep-alive\n\n');
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
