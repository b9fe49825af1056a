import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../widget/shared/protocol.js';
import { createTokenCoalescer } from '../../api/_lib/token-coalescer.js';

async function run(windowMs: number, script: Array<StreamEvent | number>): Promise<StreamEvent[]> {
  const coalescer = createTokenCoalescer(windowMs);
  const writer = coalescer.writable.getWriter();
  const out: StreamEvent[] = [];
  const reading = (async () => {
    const reader = coalescer.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      out.push(value);
    }
  })();
  for (const step of script) {
    if (typeof step === 'number') await new Promise((r) => setTimeout(r, step));
    else await writer.write(step);
  }
  await writer.close();
  await reading;
  return out;
}

const t = (content: string): StreamEvent => ({ type: 'token', content });

describe('token coalescer', () => {
  it('sends the first token at once and merges the next ones within the window', async () => {
    const out = await run(200, [t('He'), t('llo'), t(' wor'), t('ld')]);
    expect(out).toEqual([t('He'), t('llo world')]);
  });

  it('flushes at a newline without waiting for the window', async () => {
    const out = await run(10_000, [t('a'), t('b'), t('c\n'), t('d')]);
    expect(out).toEqual([t('a'), t('bc\n'), t('d')]);
  });

  it('flushes pending text when the window passes with no new token', async () => {
    const out = await run(30, [t('a'), t('b'), 120, t('c')]);
    expect(out.map((e) => (e.type === 'token' ? e.content : e.type))).toEqual(['a', 'b', 'c']);
  });

  it('keeps order: pending text goes out before any other event', async () => {
    const done: StreamEvent = { type: 'done', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3, source: 'provider' } };
    const out = await run(10_000, [t('a'), t('b'), { type: 'metadata', completionTokens: 2 }, t('c'), done]);
    expect(out).toEqual([t('a'), t('b'), { type: 'metadata', completionTokens: 2 }, t('c'), done]);
  });

  it('passes every token when the window is 0', async () => {
    const out = await run(0, [t('a'), t('b'), t('c')]);
    expect(out).toEqual([t('a'), t('b'), t('c')]);
  });
});
