import { describe, expect, it } from 'vitest';
import { createSseEncoder, encodeEvent } from '../../api/_lib/sse-encoder.js';

describe('SSE encoder', () => {
  it('frames each event with an id and one data line, after a retry field', async () => {
    const encoder = createSseEncoder({ streamId: 's1', heartbeatMs: 60_000 });
    const writer = encoder.writable.getWriter();
    void writer.write({ type: 'token', content: 'line one\nline two\r\n<b>' });
    void writer.write({ type: 'metadata', completionTokens: 3 });
    void writer.close();
    let text = '';
    for await (const chunk of encoder.readable) text += chunk;
    expect(text).toBe(
      'retry: 1000\n\n' +
        'id: s1:0\ndata: {"type":"token","content":"line one\\nline two\\r\\n<b>"}\n\n' +
        'id: s1:1\ndata: {"type":"metadata","completionTokens":3}\n\n',
    );
  });

  it('never lets content break the framing', () => {
    const frame = encodeEvent('x:1', { type: 'token', content: '\n\ndata: {"type":"done"}\n\nid: evil\r\r' });
    expect(frame.split('\n').filter(Boolean)).toHaveLength(2);
    expect(frame.includes('\r')).toBe(false);
  });

  it('sends a keep-alive comment while the stream is quiet', async () => {
    const encoder = createSseEncoder({ streamId: 's2', heartbeatMs: 1_000 });
    const reader = encoder.readable.getReader();
    expect((await reader.read()).value).toBe('retry: 1000\n\n');
    const next = await reader.read();
    expect(next.value).toBe(': keep-alive\n\n');
    await reader.cancel();
    await encoder.writable.abort().catch(() => {});
  });
});
