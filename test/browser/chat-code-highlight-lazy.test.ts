// The highlighter is a separate module, fetched with import() only when a code block with
// a language appears, and never where the CSS Custom Highlight API is missing (the code
// then stays plain, without an error). The tests run in order on one page: the module,
// once loaded, stays loaded.
import { expect } from 'chai';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { cleanup, lastAnswer, mountChat, nextEvent, nonce, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

const fence = '```';

/** Whether the page fetched the highlighter module (widget/highlight/index.ts under the dev server). */
const highlighterFetched = (): boolean =>
  performance.getEntriesByType('resource').some((entry) => new URL(entry.name).pathname.startsWith('/widget/highlight/'));

async function answerWith(chat: AiStreamChat, markdown: string): Promise<void> {
  const done = nextEvent(chat, 'ai-stream-done');
  await chat.send(`${markdown}\n\n${nonce()} [[echo]]`);
  await done;
  await chat.updateComplete;
}

function rangesIn(chat: AiStreamChat): number {
  const text = lastAnswer(chat).querySelector('pre code')?.firstChild;
  let count = 0;
  for (const [, highlight] of CSS.highlights) for (const range of highlight) if ((range as AbstractRange).startContainer === text) count++;
  return count;
}

describe('<ai-stream-chat> highlighter chunk', () => {
  afterEach(cleanup);

  it('is not loaded where the CSS Custom Highlight API is missing: the code stays plain, labelled, without an error', async () => {
    const errors: string[] = [];
    const onError = (event: ErrorEvent | PromiseRejectionEvent): void => void errors.push(String('reason' in event ? event.reason : event.message));
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onError);
    const saved = Object.getOwnPropertyDescriptor(window, 'Highlight');
    // As in a browser without the API.
    delete (window as { Highlight?: unknown }).Highlight;
    try {
      const chat = await mountChat();
      await answerWith(chat, `${fence}js\nconst plain = true;\n${fence}`);
      expect(lastAnswer(chat).querySelector('pre')?.getAttribute('data-lang')).to.equal('js');
      expect(lastAnswer(chat).querySelector('pre code')?.textContent).to.equal('const plain = true;');
      expect(rangesIn(chat)).to.equal(0);
      expect(highlighterFetched()).to.equal(false);
      expect(errors).to.deep.equal([]);
    } finally {
      if (saved) Object.defineProperty(window, 'Highlight', saved);
      window.removeEventListener('error', onError);
      window.removeEventListener('unhandledrejection', onError);
    }
  });

  it('is fetched only once a code block with a language appears', async () => {
    const chat = await mountChat();
    await answerWith(chat, 'No code here, only `inline code` and **bold**.');
    await answerWith(chat, `A block without a language:\n\n${fence}\nplain = 1\n${fence}`);
    expect(highlighterFetched(), 'fetched before any labelled block').to.equal(false);

    await answerWith(chat, `${fence}python\nimport os\n${fence}`);
    await waitFor(() => highlighterFetched() && rangesIn(chat) > 0, 'the highlighter chunk and its colours');
    const fetched = performance.getEntriesByType('resource').filter((entry) => new URL(entry.name).pathname === '/widget/highlight/index.ts');
    expect(fetched.map((entry) => new URL(entry.name).origin), 'from the origin of the element module').to.deep.equal([location.origin]);
  });
});
