import { expect } from 'chai';
import { createElement } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { AiStreamMarkdown, useAIStream } from '../../widget/react/index.js';
import { nonce, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

let root: Root | undefined;
let container: HTMLElement | undefined;

/** The hook's answer, streamed from the real server into AiStreamMarkdown. */
function renderAnswer(prompt: string): HTMLElement {
  function Answer(): ReturnType<typeof createElement> {
    const { text, streaming, startStream } = useAIStream({ endpoint: '/api/chat/stream' });
    return createElement(
      'div',
      null,
      createElement('button', { type: 'button', onClick: () => void startStream(prompt) }, 'Ask'),
      createElement('output', { 'data-streaming': String(streaming), 'data-length': text.length }, createElement(AiStreamMarkdown, { text, streaming })),
    );
  }
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
  root.render(createElement(Answer));
  return container;
}

describe('React: AiStreamMarkdown renders the hook text as markdown, safely', () => {
  afterEach(() => {
    root?.unmount();
    container?.remove();
  });

  it('renders headings, lists and code instead of raw markdown', async () => {
    const page = renderAnswer(`Rivers ${nonce()} [[length:120]] [[pace:0,300]]`);
    (await waitFor(() => page.querySelector('button'), 'the button')).click();
    const output = await waitFor(() => page.querySelector('output[data-streaming="false"]:not([data-length="0"])'), 'the whole answer');
    expect(output.querySelector('h1'), 'a heading element').to.not.equal(null);
    expect(output.querySelector('li'), 'list items').to.not.equal(null);
    expect(output.textContent).to.not.match(/^# /m);
    // A bold span left as raw markdown; a lone `**` may stay, where the answer's length
    // cut it inside a span (which nonce-seeded answers sometimes do: a red CI run).
    expect(output.textContent).to.not.match(/\*\*[^*\n]+\*\*/);
  });

  it('shows raw HTML as text and drops script links', async () => {
    const page = renderAnswer(`<img src=x onerror="window.hacked=1"> [click](javascript:alert(1)) ${nonce()} [[echo]]`);
    (await waitFor(() => page.querySelector('button'), 'the button')).click();
    const output = await waitFor(() => page.querySelector('output[data-streaming="false"]:not([data-length="0"])'), 'the answer');
    expect(output.querySelector('img')).to.equal(null);
    expect(output.textContent).to.include('<img');
    expect(output.querySelector('a')?.hasAttribute('href') ?? false).to.equal(false);
    expect((window as unknown as { hacked?: number }).hacked).to.equal(undefined);
  });
});
