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

  it('says when the client is behind', () => {
    let writer: SseWriter | undefined;
    new ReadableStream<Uint8Array>({ start: (c) => void (writer = new SseWriter('s', c, 60_000)) }, { highWaterMark: 100, size: (c) => c.byteLength });
    expect(writer!.behind).toBe(false);
    writer!.send({ type: 'token', content: 'x'.repeat(200) });
    expect(writer!.behind).toBe(true);
    writer!.close();
  });
});
