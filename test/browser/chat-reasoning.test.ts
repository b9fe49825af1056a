import { expect } from 'chai';
import type { AxeResults } from 'axe-core';
import { emulateMedia } from '@web/test-runner-commands';
import { createElement, useEffect } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { useAIStream, type UseAIStreamResult } from '../../widget/react/index.js';
import { cleanup, lastAnswer, mountChat, nonce, painted, part, shadow, waitFor } from './support/chat-fixture.js';
import { afterEach, before, describe, it } from './support/mocha.js';
import { unsafeFindings, xssAnswer } from './support/xss-corpus.js';

// The Thinking section, in Chromium against the real server. The local upstream sends
// `[[reasoning:N]]` as N reasoning deltas before the answer; `[[echo]]` answers the
// prompt verbatim, so a prompt that opens with `<think>` carries reasoning we choose.

interface Axe {
  run(context: Element | Document, options?: object): Promise<AxeResults>;
}

declare global {
  interface Window {
    __xssHits?: number;
  }
}

async function loadAxe(): Promise<Axe> {
  const script = document.createElement('script');
  script.src = '/node_modules/axe-core/axe.min.js';
  const loaded = new Promise((resolve, reject) => {
    script.onload = resolve;
    script.onerror = reject;
  });
  document.head.append(script);
  await loaded;
  return (window as unknown as { axe: Axe }).axe;
}

async function violations(axe: Axe): Promise<string[]> {
  const results = await axe.run(document, { resultTypes: ['violations'] });
  return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

function thinking(chat: AiStreamChat): HTMLDetailsElement | null {
  return part<HTMLDetailsElement>(chat, 'reasoning');
}

function reasoningText(chat: AiStreamChat): string {
  return thinking(chat)?.querySelector('div')?.textContent ?? '';
}

/** What the live region says, line by line, from now on. */
function listenToAnnouncer(chat: AiStreamChat): { lines: string[]; stop: () => void } {
  const region = shadow(chat).querySelector<HTMLElement>('[aria-live="polite"]');
  if (!region) throw new Error('no live region');
  const lines: string[] = [];
  const observer = new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) lines.push(node.textContent ?? '');
  });
  observer.observe(region, { childList: true });
  return { lines, stop: () => observer.disconnect() };
}

interface Snapshot {
  present: boolean;
  open: boolean;
  summary: string;
  reasoning: number;
  /** Characters of the answer rendered. */
  answer: number;
  /** `ai-stream-token` events so far. */
  tokens: number;
}

/** Records the Thinking section and the answer at every frame until `until` settles. */
async function watch(chat: AiStreamChat, until: Promise<unknown>): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = [];
  let done = false;
  let tokens = 0;
  chat.addEventListener('ai-stream-token', () => (tokens += 1));
  void until.finally(() => (done = true));
  while (!done) {
    const details = thinking(chat);
    let answer = 0;
    try {
      answer = (lastAnswer(chat).textContent ?? '').length;
    } catch {
      // No answer on screen yet.
    }
    snapshots.push({ present: details !== null, open: details?.open ?? false, summary: details?.querySelector('summary')?.textContent ?? '', reasoning: reasoningText(chat).length, answer, tokens });
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  return snapshots;
}

describe('<ai-stream-chat> reasoning', () => {
  let axe: Axe;
  const main = document.createElement('main');
  before(async () => {
    axe = await loadAxe();
    document.documentElement.lang = 'en';
    document.title = 'ai-stream-chat reasoning';
    const title = document.createElement('h1');
    title.textContent = 'Help centre';
    main.append(title);
    document.body.append(main);
  });
  afterEach(async () => {
    cleanup();
    await emulateMedia({ colorScheme: 'light' });
  });

  it('streams the Thinking section open, then collapses it when the answer starts', async () => {
    const chat = await mountChat({}, main);
    const snapshots = await watch(chat, chat.send(`Why tides? ${nonce()} [[reasoning:40]] [[length:30]] [[pace:0,80]]`));
    const beforeAnswer = snapshots.filter((s) => s.present && s.tokens === 0);
    expect(beforeAnswer.length, 'frames with reasoning and no answer yet').to.be.greaterThan(0);
    expect(beforeAnswer.every((s) => s.open && s.summary === 'Thinking…'), 'open, saying Thinking…').to.equal(true);
    expect(new Set(beforeAnswer.map((s) => s.reasoning)).size, 'reasoning lengths seen while it streamed').to.be.at.least(2);
    const withAnswer = snapshots.filter((s) => s.answer > 0);
    expect(withAnswer.length).to.be.greaterThan(0);
    expect(withAnswer.every((s) => s.present && !s.open), 'collapsed once the answer shows').to.equal(true);
    // Finished: still there, closed, and the answer holds none of the reasoning.
    await painted();
    expect(thinking(chat)?.open).to.equal(false);
    expect(thinking(chat)?.querySelector('summary')?.textContent).to.equal('Thoughts');
    expect(reasoningText(chat).length).to.be.greaterThan(0);
    expect(lastAnswer(chat).textContent).to.not.contain(reasoningText(chat).trim());
    // The reader can open it again; the conversation keeps content only.
    thinking(chat)?.querySelector('summary')?.click();
    expect(thinking(chat)?.open).to.equal(true);
    const kept = chat.messages.at(-1);
    expect(Object.keys(kept ?? {})).to.deep.equal(['role', 'content']);
    expect(kept?.content).to.not.contain(reasoningText(chat).trim());
  });

  it('a Thinking section the reader opened while the answer streamed stays open when it ends', async () => {
    const chat = await mountChat({}, main);
    const sending = chat.send(`Keep it open ${nonce()} [[reasoning:10]] [[length:60]] [[pace:0,60]]`);
    await waitFor(() => lastAnswer(chat).textContent && thinking(chat)?.open === false, 'the answer, with the section collapsed');
    thinking(chat)?.querySelector('summary')?.click();
    expect(thinking(chat)?.open).to.equal(true);
    await sending;
    await painted();
    expect(chat.streaming).to.equal(false);
    expect(thinking(chat)?.open).to.equal(true);
    expect(thinking(chat)?.querySelector('summary')?.textContent).to.equal('Thoughts');
  });

  it('announces "Thinking…" once and never the reasoning itself', async () => {
    const chat = await mountChat({}, main);
    const announcer = listenToAnnouncer(chat);
    await chat.send(`Explain ${nonce()} [[reasoning:60]] [[length:20]] [[pace:0,200]]`);
    announcer.stop();
    expect(announcer.lines.filter((line) => line === 'Thinking…')).to.have.length(1);
    // The local upstream's reasoning and answer both speak of the prompt: a line may appear
    // in both. What must never be announced is reasoning that is not also answer text.
    const reasoning = reasoningText(chat);
    const answer = lastAnswer(chat).textContent ?? '';
    for (const line of announcer.lines) if (line !== 'Thinking…' && reasoning.includes(line.trim())) expect(answer).to.contain(line.trim());
    // The section sits in the transcript, whose live setting is off, and in no other live region.
    expect(thinking(chat)?.closest('[aria-live]')?.getAttribute('aria-live')).to.equal('off');
  });

  it('has no axe violations while thinking, after the answer, and in dark mode', async () => {
    const chat = await mountChat({ heading: 'Ask the docs' }, main);
    const sending = chat.send(`Slow thought ${nonce()} [[reasoning:40]] [[length:20]] [[pace:0,40]]`);
    await waitFor(() => thinking(chat)?.open && reasoningText(chat), 'the open Thinking section');
    expect(await violations(axe), 'thinking').to.deep.equal([]);
    await sending;
    expect(await violations(axe), 'answered').to.deep.equal([]);
    await emulateMedia({ colorScheme: 'dark' });
    expect(await violations(axe), 'dark').to.deep.equal([]);
  });

  it('reasoning="collapsed" keeps the section closed while it streams', async () => {
    const chat = await mountChat({}, main);
    chat.reasoning = 'collapsed';
    const snapshots = await watch(chat, chat.send(`Quietly ${nonce()} [[reasoning:30]] [[length:10]] [[pace:0,100]]`));
    expect(snapshots.some((s) => s.present && s.reasoning > 0)).to.equal(true);
    expect(snapshots.every((s) => !s.open)).to.equal(true);
  });

  it('reasoning="hidden" renders nothing and announces nothing of it', async () => {
    const chat = await mountChat({}, main);
    chat.reasoning = 'hidden';
    await chat.updateComplete;
    const announcer = listenToAnnouncer(chat);
    const snapshots = await watch(chat, chat.send(`Hidden ${nonce()} [[reasoning:30]] [[length:20]] [[pace:0,100]]`));
    announcer.stop();
    expect(snapshots.every((s) => !s.present)).to.equal(true);
    expect(shadow(chat).querySelector('details')).to.equal(null);
    expect(announcer.lines).to.not.include('Thinking…');
    expect(lastAnswer(chat).textContent?.length).to.be.greaterThan(0);
  });

  it('shows reasoning full of HTML and script payloads as inert text', async () => {
    window.__xssHits = 0;
    // The corpus is over a thousand tokens: past the server's default maxTokens (1024).
    const chat = await mountChat({ maxTokens: 4096 }, main);
    await chat.send(`<think>${xssAnswer}</think>Fine, ${nonce()}. [[echo]]`);
    await painted();
    const details = thinking(chat);
    if (!details) throw new Error('no Thinking section');
    details.open = true;
    await painted();
    expect(reasoningText(chat)).to.equal(xssAnswer);
    expect(details.querySelector('div')?.children.length, 'no element made from the reasoning').to.equal(0);
    expect(unsafeFindings(details).filter((finding) => finding !== '<details>' && finding !== '<summary>')).to.deep.equal([]);
    expect(window.__xssHits).to.equal(0);
    expect(lastAnswer(chat).textContent).to.match(/^Fine, /);
  });

  it('React: useAIStream exposes reasoning beside text, before the text starts', async () => {
    const seen: UseAIStreamResult[] = [];
    const container = document.createElement('div');
    document.body.append(container);
    const root: Root = createRoot(container);
    function Probe(): null {
      const result = useAIStream({ endpoint: '/api/chat/stream' });
      useEffect(() => void seen.push(result));
      return null;
    }
    try {
      root.render(createElement(Probe));
      const hook = await waitFor(() => seen.at(-1), 'first render');
      const finished = hook.startStream(`Rivers ${nonce()} [[reasoning:30]] [[length:30]] [[pace:0,100]]`);
      await finished;
      await waitFor(() => seen.at(-1)?.streaming === false, 'the end');
      const last = seen.at(-1);
      expect(last?.reasoning.length).to.be.greaterThan(0);
      expect(last?.text.length).to.be.greaterThan(0);
      expect(last?.text).to.not.contain(last?.reasoning.trim());
      expect(seen.some((result) => result.reasoning.length > 0 && result.text === ''), 'reasoning rendered before any text').to.equal(true);
      expect(last?.usage?.reasoningTokens).to.equal(30);
    } finally {
      root.unmount();
      container.remove();
    }
  });
});
