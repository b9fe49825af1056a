import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatTokensUpperBound, createTokenizer, type Tokenizer } from '../../api/_lib/counting/tokenizer.js';
import { tokenText } from './token-text-arbitraries.js';

const ANSWER = [
  'Sure! Here is a short overview of the **three** options, with code:\n\n',
  '```ts\nconst answer = await fetch("/api/chat/stream", { method: "POST" });\n```\n\n',
  "1. Don't block the event loop; it's shared by every stream.\n",
  '2. Numbers like 1234567 split in threes; 中文 and emoji 😀👍🏽 cost more.\n',
  '   - Indented   lists,\ttabs and trailing spaces   \n',
].join('');
const LONG_ANSWER = ANSWER.repeat(60);

/** Cuts `text` into deltas of 1 to 12 code units (so some split surrogate pairs). */
function deltasOf(text: string): string[] {
  const deltas: string[] = [];
  for (let from = 0, step = 0; from < text.length; step++) {
    const size = 1 + ((step * 7) % 12);
    deltas.push(text.slice(from, from + size));
    from += size;
  }
  return deltas;
}

const settle = (ms = 60): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('tokenizer in a worker thread', () => {
  let tokenizer: Tokenizer;
  let reference: Tiktoken;
  afterAll(() => tokenizer.close());

  // First in the file, before this thread loads anything heavy of its own.
  it('loads off the main thread: the event loop keeps turning while the ranks load', async () => {
    tokenizer = createTokenizer();
    expect(tokenizer.stats().mode).toBe('idle'); // nothing starts before the first use
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    tokenizer.warm();
    expect(tokenizer.isReady()).toBe(false);
    const counter = tokenizer.createCompletionCounter();
    counter.push('Hello, world!');
    expect(await counter.count()).toBe(4);
    const loadMs = performance.now() - started;
    await settle(); // the monitor records a block only when its next timer fires
    delay.disable();
    const maxDelayMs = delay.max / 1e6;
    expect(tokenizer.isReady()).toBe(true);
    expect(tokenizer.stats()).toMatchObject({ mode: 'worker', inThreadLoads: 0 });
    // In-thread loading blocks for the whole load (about 0.6 s here); loose for a shared machine.
    expect(maxDelayMs).toBeLessThan(Math.max(150, loadMs / 2));
    counter.dispose();
  });

  describe('once loaded', () => {
    beforeAll(async () => {
      const { default: o200k } = await import('js-tiktoken/ranks/o200k_base');
      reference = new Tiktoken(o200k);
    });

    it('counts a long streamed answer exactly, and estimate() agrees once caught up', async () => {
      const counter = tokenizer.createCompletionCounter();
      let soFar = '';
      for (const [i, delta] of deltasOf(LONG_ANSWER).entries()) {
        counter.push(delta);
        soFar += delta;
        if (i % 500 === 0) expect(await counter.count()).toBe(reference.encode(soFar, [], []).length);
      }
      const exact = reference.encode(LONG_ANSWER, [], []).length;
      expect(await counter.count()).toBe(exact);
      expect(counter.estimate()).toBe(exact);
      counter.dispose();
    });

    it('keeps the running figure exact at every delta once loaded (what metadata events show)', () => {
      const counter = tokenizer.createCompletionCounter();
      let soFar = '';
      for (const delta of deltasOf(ANSWER.repeat(5))) {
        counter.push(delta);
        soFar += delta;
        expect(counter.estimate()).toBe(reference.encode(soFar, [], []).length);
      }
      counter.dispose();
    });

    it('counts chats with 3 tokens per message and 3 for the reply, as OpenAI does', async () => {
      const messages = [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: "What's 2+2? 中文 😀" },
      ];
      const content = messages.reduce((sum, m) => sum + reference.encode(m.role, [], []).length + reference.encode(m.content, [], []).length, 0);
      expect(await tokenizer.countChatTokens(messages)).toBe(content + 3 * messages.length + 3);
    });

    it('answers 200 chats asked for at once, each with its own exact count', async () => {
      const chats = Array.from({ length: 200 }, (_, i) => [{ role: 'user', content: `${LONG_ANSWER.slice(i * 37, i * 37 + i * 11)} #${i}` }]);
      const counts = await Promise.all(chats.map((messages) => tokenizer.countChatTokens(messages)));
      counts.forEach((count, i) => {
        const message = chats[i]?.[0];
        expect(count).toBe(reference.encode('user', [], []).length + reference.encode(message?.content ?? '', [], []).length + 3 + 3);
      });
      expect(tokenizer.stats().inFlight).toBe(0);
    });

    it('bounds every chat from above without a tokenizer', () => {
      const role = fc.constantFrom('system', 'user', 'assistant');
      fc.assert(
        fc.property(fc.array(fc.record({ role, content: tokenText(30) }), { maxLength: 6 }), (messages) => {
          const exact = messages.reduce((sum, m) => sum + 3 + reference.encode(m.role, [], []).length + reference.encode(m.content, [], []).length, 3);
          expect(chatTokensUpperBound(messages)).toBeGreaterThanOrEqual(exact);
        }),
        { numRuns: 300 },
      );
    });

    it('frees a stream on dispose: nothing waits, nothing is in flight, later pushes are ignored', async () => {
      const counter = tokenizer.createCompletionCounter();
      for (const delta of deltasOf(ANSWER)) counter.push(delta);
      const counting = counter.count();
      counter.push(' more');
      counter.dispose();
      counter.dispose();
      expect(tokenizer.stats().waitingCounters).toBe(0);
      expect(await counting).toBe(reference.encode(ANSWER, [], []).length);
      const final = counter.estimate();
      counter.push(' and more after the end');
      expect(counter.estimate()).toBe(final);
      expect(await counter.count()).toBe(final);
      expect(tokenizer.stats()).toMatchObject({ inFlight: 0, waitingCounters: 0 });
    });
  });
});

describe('tokenizer without a worker', () => {
  it.each([
    ['dies before handing over its table', 'dying-tokenizer-worker.mjs'],
    ['answers with something that is not a table', 'garbage-tokenizer-worker.mjs'],
  ])('builds the table on this thread when the loader %s, and counts exactly', async (_what, file) => {
    const tokenizer = createTokenizer({ workerUrl: new URL(`../fixtures/${file}`, import.meta.url) });
    try {
      const counter = tokenizer.createCompletionCounter('cl100k_base');
      counter.push('Hello, world!');
      expect(await counter.count()).toBe(4);
      expect(tokenizer.stats()).toMatchObject({ mode: 'in-thread', inThreadLoads: 1, inFlight: 0, waitingCounters: 0 });
      counter.dispose();
    } finally {
      await tokenizer.close();
    }
  });

  it('falls back to this thread when the worker cannot start, and answers what was asked before', async () => {
    const tokenizer = createTokenizer({ workerUrl: new URL('./no-such-tokenizer-worker.mjs', import.meta.url) });
    try {
      const counter = tokenizer.createCompletionCounter('cl100k_base');
      for (const delta of deltasOf(ANSWER)) counter.push(delta);
      const chat = tokenizer.countChatTokens([{ role: 'user', content: 'Hello, world!' }], 'cl100k_base');
      // "Hello, world!" is 4 tokens in cl100k_base, "user" 1; plus 3 + 3 of overhead.
      expect(await chat).toBe(11);
      const inThread = await counter.count();
      expect(tokenizer.stats()).toMatchObject({ mode: 'in-thread', inThreadLoads: 1, inFlight: 0 });
      const worker = createTokenizer();
      const viaWorker = worker.createCompletionCounter('cl100k_base');
      viaWorker.push(ANSWER);
      expect(inThread).toBe(await viaWorker.count());
      await worker.close();
    } finally {
      await tokenizer.close();
    }
  });
});
