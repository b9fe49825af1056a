import { expect } from 'chai';
import { createElement, StrictMode, useEffect } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { StreamEvent } from '../../widget/shared/protocol.js';
import { useAIStream, type UseAIStreamOptions, type UseAIStreamResult } from '../../widget/react/index.js';
import { StreamClient } from '../../widget/stream-client.js';
import { nonce, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';
import { resumeDouble } from './support/resume-double.js';

// useAIStream's `resumeKey`: the answer in progress kept in sessionStorage and taken up
// again on mount (after a reload). The real server answers; resumeDouble stands in for
// its GET ?id= until resume-server is merged.

let root: Root | undefined;
let container: HTMLElement | undefined;

function renderHook(options: UseAIStreamOptions, seen: UseAIStreamResult[]): void {
  function Probe(): null {
    const result = useAIStream(options);
    useEffect(() => void seen.push(result));
    return null;
  }
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  // StrictMode mounts twice: the answer must still be taken up once.
  root.render(createElement(StrictMode, null, createElement(Probe)));
}

function keptRecord(key: string): { live?: { streamId: string; text: string } } | undefined {
  const raw = sessionStorage.getItem(key);
  return raw === null ? undefined : JSON.parse(raw);
}

describe('React: useAIStream resumeKey', () => {
  afterEach(() => {
    root?.unmount();
    container?.remove();
    root = undefined;
    sessionStorage.clear();
  });

  it('keeps the answer in progress in sessionStorage and forgets it when the answer is done', async () => {
    const seen: UseAIStreamResult[] = [];
    renderHook({ endpoint: '/api/chat/stream', resumeKey: 'answer' }, seen);
    const hook = await waitFor(() => seen.at(-1), 'first render');
    const done = hook.startStream(`Keep my place ${nonce()} [[length:200]] [[pace:0,100]]`);
    const kept = await waitFor(() => keptRecord('answer')?.live, 'the kept answer');
    expect(kept.streamId).to.match(/^[\w-]+$/);
    await done;
    await waitFor(() => seen.at(-1)?.streaming === false, 'the end, rendered');
    expect(sessionStorage.getItem('answer')).to.equal(null);
  });

  it('on mount takes up a kept answer: its text at once, then the rest, ending with the whole answer', async () => {
    let open = (): void => {};
    const double = resumeDouble({ gate: new Promise<void>((resolve) => (open = resolve)) });
    const original = new StreamClient({ endpoint: '/api/chat/stream', fetch: double.fetch }).stream({
      messages: [{ role: 'user', content: `Reload the hook ${nonce()} [[length:80]]` }],
    });
    const events: StreamEvent[] = [];
    for await (const event of original) events.push(event);
    const streamId = original.streamId ?? '';
    const full = await double.fullText(streamId);
    const seenText = events.slice(0, 4).flatMap((event) => (event.type === 'token' ? [event.content] : [])).join('');
    const live = { streamId, lastEventId: `${streamId}:3`, text: seenText, reasoning: '' };
    sessionStorage.setItem('reloaded', JSON.stringify({ v: 1, savedAt: Date.now(), messages: [], live }));

    const seen: UseAIStreamResult[] = [];
    renderHook({ endpoint: '/api/chat/stream', fetch: double.fetch, resumeKey: 'reloaded' }, seen);
    // Before the server answers the resume: the kept text, streaming.
    await waitFor(() => seen.some((result) => result.streaming && result.text === seenText), 'the kept text, streaming');
    open();
    const last = await waitFor(() => (seen.at(-1)?.text === full && !seen.at(-1)?.streaming ? seen.at(-1) : undefined), 'the whole answer');
    expect(last.error).to.equal(undefined);
    expect(last.usage?.completionTokens).to.equal(80);
    expect(double.requests.filter((request) => request.method === 'GET')).to.have.length(1);
    expect(sessionStorage.getItem('reloaded')).to.equal(null);
  });

  it('a kept answer the server cannot resume ends as stream_interrupted, keeping its text', async () => {
    const live = { streamId: crypto.randomUUID(), text: 'What it had', reasoning: '' };
    sessionStorage.setItem('gone', JSON.stringify({ v: 1, savedAt: Date.now(), messages: [], live }));
    const seen: UseAIStreamResult[] = [];
    renderHook({ endpoint: '/api/chat/stream', resumeKey: 'gone' }, seen);
    const last = await waitFor(() => (seen.at(-1)?.error ? seen.at(-1) : undefined), 'the error');
    expect(last.error?.code).to.equal('stream_interrupted');
    expect(last.text).to.equal('What it had');
    expect(last.streaming).to.equal(false);
    expect(sessionStorage.getItem('gone')).to.equal(null);
  });
});
