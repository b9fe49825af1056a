// The React wrapper sets every prop on every render: `messages={saved}` must not wipe
// the conversation each time the parent re-renders with the same array.
import { expect } from 'chai';
import { createElement, createRef } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import type { ChatMessage } from '../../widget/shared/protocol.js';
import { AiStreamChatReact } from '../../widget/react/index.js';
import { nonce, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

let root: Root | undefined;
let container: HTMLElement | undefined;

describe('React: AiStreamChatReact with a messages prop', () => {
  afterEach(() => {
    root?.unmount();
    container?.remove();
    root = undefined;
  });

  it('a re-render with the same messages array keeps the turns asked since; a new array replaces them', async () => {
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
    const ref = createRef<AiStreamChat>();
    const saved: ChatMessage[] = [{ role: 'user', content: 'Earlier question' }, { role: 'assistant', content: 'Earlier answer' }];
    const render = (heading: string, messages: ChatMessage[]): void =>
      root?.render(createElement(AiStreamChatReact, { ref, heading, messages }));
    render('First', saved);
    const element = await waitFor(() => ref.current, 'the element');
    await element.updateComplete;
    await element.send(`Kept ${nonce()} [[length:10]]`);
    expect(element.messages).to.have.length(4);

    // The parent re-renders (another prop changed), handing the very same array again.
    render('Second', saved);
    await waitFor(() => element.shadowRoot?.querySelector('[part~="heading"]')?.textContent === 'Second', 'the re-render');
    await element.updateComplete;
    expect(element.messages, 'the new turn stays').to.have.length(4);

    // A different array is a new conversation, as before.
    render('Third', [{ role: 'user', content: 'Only this' }]);
    await waitFor(() => element.messages.length === 1, 'the new conversation');
  });
});
