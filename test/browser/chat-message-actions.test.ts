// Message actions: copy an answer (markdown) or a code block, regenerate the last answer,
// edit the last question and send it again; keyboard reachable, labelled, announced.
import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import { strings } from '../../widget/strings.js';
import { cleanup, lastAnswer, mountChat, nextEvent, nonce, part, shadow, waitFor } from './support/chat-fixture.js';
import { afterEach, beforeEach, describe, it } from './support/mocha.js';

// What the page wrote to the clipboard: headless Chromium refuses clipboard writes to a
// page without a user grant, so the test records the text handed to writeText instead.
let written: string[] = [];
const original = Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard');

describe('<ai-stream-chat> message actions', () => {
  beforeEach(() => {
    written = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: (text: string) => (written.push(text), Promise.resolve()) },
    });
  });
  afterEach(() => {
    cleanup();
    delete (navigator as unknown as Record<string, unknown>)['clipboard'];
    if (original) Object.defineProperty(Navigator.prototype, 'clipboard', original);
  });

  it('copies an answer as markdown, from the keyboard, and announces "Copied"', async () => {
    const chat = await mountChat();
    const done = nextEvent(chat, 'ai-stream-done');
    await chat.send(`Copy me ${nonce()} [[length:60]]`);
    const { text } = await done;
    await chat.updateComplete;
    const copy = part<HTMLButtonElement>(chat, 'copy-button');
    if (!copy) throw new Error('no copy button');
    expect(copy.getAttribute('aria-label')).to.equal(strings.copyAnswer);
    copy.focus();
    await sendKeys({ press: 'Enter' });
    await waitFor(() => written.length === 1, 'the clipboard write');
    expect(written[0]).to.equal(text);
    expect(text, 'markdown, not rendered text').to.include('# ');
    await waitFor(() => shadow(chat).querySelector('[aria-live="polite"]')?.textContent?.includes(strings.copied), 'the announcement');
  });

  it('copies one code block, its code only', async () => {
    const chat = await mountChat();
    await chat.send(`Intro:\n\n\`\`\`js\nconst x = 1;\n\`\`\`\n${nonce()} [[echo]]`);
    await chat.updateComplete;
    const button = lastAnswer(chat).querySelector<HTMLButtonElement>('[part~="copy-code-button"]');
    if (!button) throw new Error('no copy-code button');
    expect(button.getAttribute('aria-label')).to.equal(strings.copyCode);
    // The answer's text is the model's alone: the button's label is drawn by CSS.
    expect(lastAnswer(chat).textContent).to.not.include(strings.copyCode);
    button.click();
    await waitFor(() => written.length === 1, 'the clipboard write');
    expect(written[0]).to.equal('const x = 1;');
  });

  it('regenerates the last answer, replacing it', async () => {
    const chat = await mountChat();
    await chat.send(`Again ${nonce()} [[length:20]]`);
    await chat.updateComplete;
    const first = lastAnswer(chat);
    const done = nextEvent(chat, 'ai-stream-done');
    part<HTMLButtonElement>(chat, 'regenerate-button')?.click();
    await done;
    await chat.updateComplete;
    expect(shadow(chat).querySelectorAll('[part~="assistant"]')).to.have.length(1);
    expect(lastAnswer(chat)).to.not.equal(first);
    expect(chat.messages.map((message) => message.role)).to.deep.equal(['user', 'assistant']);
  });

  it('only the last answer offers Regenerate, only the last question Edit', async () => {
    const chat = await mountChat();
    await chat.send(`One ${nonce()} [[length:5]]`);
    await chat.send(`Two ${nonce()} [[length:5]]`);
    await chat.updateComplete;
    expect(shadow(chat).querySelectorAll('[part~="regenerate-button"]')).to.have.length(1);
    expect(shadow(chat).querySelectorAll('[part~="edit-button"]')).to.have.length(1);
    expect(shadow(chat).querySelectorAll('[part~="copy-button"]')).to.have.length(2);
  });

  it('edits the last question: back in the box, its answer gone, sent again with Enter', async () => {
    const chat = await mountChat();
    const id = nonce();
    await chat.send(`First try ${id} [[length:10]]`);
    await chat.updateComplete;
    const edit = part<HTMLButtonElement>(chat, 'edit-button');
    expect(edit?.getAttribute('aria-label')).to.equal(strings.editLast);
    edit?.click();
    await chat.updateComplete;
    const input = shadow(chat).querySelector('textarea');
    expect(shadow(chat).activeElement).to.equal(input);
    expect(input?.value).to.equal(`First try ${id} [[length:10]]`);
    expect(chat.messages).to.deep.equal([]);
    await sendKeys({ press: 'End' });
    await sendKeys({ type: ' edited' });
    const done = nextEvent(chat, 'ai-stream-done');
    await sendKeys({ press: 'Enter' });
    await done;
    expect(chat.messages.map((message) => message.content.endsWith(' edited') || message.role)).to.deep.equal([true, 'assistant']);
  });
});
