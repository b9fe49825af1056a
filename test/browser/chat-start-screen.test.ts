// The start screen (greeting, suggested prompts) and the assistant's name and avatar.
import { expect } from 'chai';
import { sendKeys } from '@web/test-runner-commands';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { cleanup, lastAnswer, mountChat, nextEvent, nonce, part, shadow, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

// Served by web-test-runner from the repository: a real same-origin image.
const avatarUrl = '/demo/public/assistant-avatar.svg';

async function withAttributes(attributes: Record<string, string>): Promise<AiStreamChat> {
  const chat = await mountChat();
  for (const [name, value] of Object.entries(attributes)) chat.setAttribute(name, value);
  await chat.updateComplete;
  return chat;
}

function suggestionTexts(chat: AiStreamChat): string[] {
  return [...shadow(chat).querySelectorAll('[part~="suggestion"]')].map((button) => button.textContent ?? '');
}

describe('<ai-stream-chat> start screen', () => {
  afterEach(cleanup);

  it('shows nothing when the site set no greeting and no suggestions', async () => {
    const chat = await mountChat();
    expect(part(chat, 'start-screen')).to.equal(null);
  });

  it('shows the greeting and the "|"-separated suggestions as text, never markup', async () => {
    const chat = await withAttributes({
      greeting: 'Hi <b>there</b>, ask me',
      suggestions: ' Track my order | <img src=x onerror="window.xss=1"> || Opening hours ',
    });
    expect(part(chat, 'greeting')?.textContent?.trim()).to.equal('Hi <b>there</b>, ask me');
    expect(suggestionTexts(chat)).to.deep.equal(['Track my order', '<img src=x onerror="window.xss=1">', 'Opening hours']);
    expect(part(chat, 'start-screen')?.querySelectorAll('b, img')).to.have.length(0);
    expect(part(chat, 'start-screen')?.querySelector('[role="group"]')?.getAttribute('aria-label')).to.equal('Suggestions');
    // The property takes an array (a prompt may then hold a "|").
    chat.suggestions = ['Either | or'];
    await chat.updateComplete;
    expect(suggestionTexts(chat)).to.deep.equal(['Either | or']);
  });

  it('a suggestion sends itself, focus waits in the message box, and the start screen is gone after the first message', async () => {
    const id = nonce();
    const chat = await withAttributes({ greeting: 'Hello', suggestions: `First ${id} [[length:30]] | Second` });
    const button = part<HTMLButtonElement>(chat, 'suggestion');
    if (!button) throw new Error('no suggestion');
    const done = nextEvent(chat, 'ai-stream-done');
    button.focus();
    await sendKeys({ press: 'Enter' });
    await chat.updateComplete;
    expect(part(chat, 'start-screen'), 'gone as soon as the question is sent').to.equal(null);
    expect(shadow(chat).activeElement?.tagName).to.equal('TEXTAREA');
    await done;
    expect(chat.messages.map((message) => message.role)).to.deep.equal(['user', 'assistant']);
    expect(chat.messages[0]?.content).to.equal(`First ${id} [[length:30]]`);
    await chat.updateComplete;
    expect(part(chat, 'start-screen')).to.equal(null);
    // An empty conversation again (a page resetting it): back.
    chat.messages = [];
    await chat.updateComplete;
    expect(part(chat, 'greeting')).to.not.equal(null);
  });

  it('a restored conversation shows no start screen', async () => {
    const chat = await withAttributes({ greeting: 'Hello', suggestions: 'One' });
    chat.messages = [
      { role: 'user', content: 'Earlier' },
      { role: 'assistant', content: 'An answer' },
    ];
    await chat.updateComplete;
    expect(part(chat, 'start-screen')).to.equal(null);
  });
});

describe('<ai-stream-chat> assistant name and avatar', () => {
  afterEach(cleanup);

  it('shows the name and the avatar above the greeting and above every answer, streaming and finished', async () => {
    const chat = await withAttributes({ greeting: 'Hello', 'assistant-name': 'Nora', 'assistant-avatar': avatarUrl });
    const senders = (): Element[] => [...shadow(chat).querySelectorAll('[part~="sender"]')];
    expect(senders().map((sender) => sender.textContent?.trim())).to.deep.equal(['Nora']);
    const sending = chat.send(`Who are you ${nonce()} [[length:60]] [[pace:0,100]]`);
    await nextEvent(chat, 'ai-stream-token');
    await chat.updateComplete;
    expect(shadow(chat).querySelector('[part~="assistant"][aria-busy="true"] [part~="sender"]')?.textContent?.trim()).to.equal('Nora');
    await sending;
    await chat.updateComplete;
    const answerSender = shadow(chat).querySelector('[part~="assistant"] [part~="sender"]');
    expect(answerSender?.textContent?.trim()).to.equal('Nora');
    const avatar = answerSender?.querySelector<HTMLImageElement>('[part~="avatar"]');
    expect(avatar?.getAttribute('src')).to.equal(avatarUrl);
    expect(avatar?.getAttribute('alt'), 'decorative: the name is beside it').to.equal('');
    await waitFor(() => avatar?.complete && avatar.naturalWidth > 0, 'the avatar to load');
  });

  it('without them, answers show no sender line', async () => {
    const chat = await mountChat();
    await chat.send(`Plain ${nonce()} [[length:20]]`);
    expect(part(chat, 'sender')).to.equal(null);
    expect(shadow(chat).querySelector('img')).to.equal(null);
  });

  it('model output still makes the page fetch nothing: the avatar is the only image loaded', async () => {
    const chat = await withAttributes({ 'assistant-name': 'Nora', 'assistant-avatar': avatarUrl });
    const tracker = `${location.origin}/track-${nonce()}.png`;
    const answer = [
      `![pixel](${tracker})`,
      `<img src="${tracker}?raw">`,
      `[![nested](${tracker}?nested)](${tracker}?link)`,
      '',
    ].join('\n\n');
    await chat.send(`[[echo]]${answer}`);
    await chat.updateComplete;
    expect(lastAnswer(chat).textContent).to.contain('pixel');
    const images = [...shadow(chat).querySelectorAll('img')];
    expect(images.every((image) => image.getAttribute('part') === 'avatar')).to.equal(true);
    const avatar = images[0];
    await waitFor(() => avatar?.complete, 'the avatar to load');
    const loaded = performance
      .getEntriesByType('resource')
      .map((entry) => entry.name)
      .filter((name) => name.includes('/track-') || name.endsWith('.svg') || name.endsWith('.png'));
    expect(loaded.filter((name) => name.includes('/track-'))).to.deep.equal([]);
    expect(loaded.some((name) => name.endsWith(avatarUrl))).to.equal(true);
  });
});
