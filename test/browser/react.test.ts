import { expect } from 'chai';
import { createElement, createRef, useEffect } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import type { AiStreamDoneEvent } from '../../widget/events.js';
import { AiStreamChatReact, useAIStream, type UseAIStreamResult } from '../../widget/react/index.js';
import { nonce, upstreamClose, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

let root: Root | undefined;
let container: HTMLElement | undefined;

function mount(): Root {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  return root;
}

/** Renders a component that uses the hook and hands every result it renders with to `seen`. */
function renderHook(seen: UseAIStreamResult[]): void {
  function Probe(): null {
    const result = useAIStream({ endpoint: '/api/chat/stream' });
    useEffect(() => void seen.push(result));
    return null;
  }
  mount().render(createElement(Probe));
}

describe('React: useAIStream and the element wrapper', () => {
  afterEach(() => {
    root?.unmount();
    container?.remove();
    root = undefined;
  });

  it('useAIStream streams text into state as it grows, with the server token count', async () => {
    const seen: UseAIStreamResult[] = [];
    renderHook(seen);
    const hook = await waitFor(() => seen.at(-1), 'first render');
    void hook.startStream(`Rivers ${nonce()} [[length:120]] [[pace:0,150]]`);
    await waitFor(() => seen.at(-1)?.streaming, 'streaming');
    await waitFor(() => seen.length > 3 && seen.at(-1)?.streaming === false, 'the end');
    const last = seen.at(-1);
    const texts = new Set(seen.filter((result) => result.streaming).map((result) => result.text));
    expect(texts.size, 'distinct texts rendered while streaming').to.be.at.least(4);
    expect(last?.error).to.equal(undefined);
    expect(last?.tokenCount).to.equal(120);
    expect(last?.usage?.completionTokens).to.equal(120);
    expect(last?.text.length).to.be.greaterThan(100);
  });

  it('useAIStream cancel() stops the stream at the upstream and keeps the text', async () => {
    const seen: UseAIStreamResult[] = [];
    renderHook(seen);
    const id = nonce();
    void (await waitFor(() => seen.at(-1), 'first render')).startStream(`Slow ${id} [[length:400]] [[pace:0,40]]`);
    await waitFor(() => seen.at(-1)?.text, 'some text');
    seen.at(-1)?.cancel();
    await waitFor(() => seen.at(-1)?.streaming === false, 'stopped');
    expect(seen.at(-1)?.text.length).to.be.greaterThan(0);
    expect(seen.at(-1)?.error).to.equal(undefined);
    expect((await upstreamClose({ nonce: id })).reason).to.equal('client-aborted');
  });

  it('useAIStream aborts on unmount', async () => {
    const seen: UseAIStreamResult[] = [];
    renderHook(seen);
    const id = nonce();
    void (await waitFor(() => seen.at(-1), 'first render')).startStream(`Leaving ${id} [[length:400]] [[pace:0,40]]`);
    await waitFor(() => seen.at(-1)?.text, 'some text');
    root?.unmount();
    root = undefined;
    expect((await upstreamClose({ nonce: id })).reason).to.equal('client-aborted');
  });

  it('useAIStream reports a failed answer as error, keeping the text', async () => {
    const seen: UseAIStreamResult[] = [];
    renderHook(seen);
    void (await waitFor(() => seen.at(-1), 'first render')).startStream(`Oops ${nonce()} [[fault:error-mid]] [[length:60]]`);
    const failed = await waitFor(() => seen.find((result) => result.error), 'the error');
    expect(failed.error?.retryable).to.be.a('boolean');
    await waitFor(() => seen.at(-1)?.streaming === false, 'stopped');
    expect(seen.at(-1)?.text.length).to.be.greaterThan(0);
  });

  it('AiStreamChatReact passes props to the element and events to callbacks', async () => {
    const ref = createRef<AiStreamChat>();
    const done: AiStreamDoneEvent[] = [];
    mount().render(
      createElement(AiStreamChatReact, {
        ref,
        heading: 'From React',
        messages: [{ role: 'user', content: 'Earlier question' }, { role: 'assistant', content: 'Earlier *answer*' }],
        onDone: (event: AiStreamDoneEvent) => void done.push(event),
      }),
    );
    const element = await waitFor(() => ref.current, 'the element');
    await element.updateComplete;
    expect(element.tagName).to.equal('AI-STREAM-CHAT');
    expect(element.shadowRoot?.querySelector('[part~="heading"]')?.textContent).to.equal('From React');
    expect(element.messages).to.have.length(2);
    await element.send(`From React ${nonce()} [[length:15]]`);
    expect(done).to.have.length(1);
    expect(done[0]?.usage.completionTokens).to.equal(15);
  });
});
