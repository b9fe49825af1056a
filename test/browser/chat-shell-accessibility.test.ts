// axe-core on the shell's states: launcher closed and open, the start screen, the
// assistant's name and avatar, Jump to latest; light and dark.
import { expect } from 'chai';
import { emulateMedia, setViewport } from '@web/test-runner-commands';
import { cleanup, mountChat, nonce, painted, part, waitFor } from './support/chat-fixture.js';
import { loadAxe, violations, type Axe } from './support/axe.js';
import { afterEach, before, describe, it } from './support/mocha.js';

describe('<ai-stream-chat> shell accessibility', () => {
  let axe: Axe;
  // A page as a site would have it, so page-level rules judge the widget, not the harness.
  const main = document.createElement('main');
  before(async () => {
    axe = await loadAxe();
    document.documentElement.lang = 'en';
    document.title = 'ai-stream-chat shell accessibility';
    const title = document.createElement('h1');
    title.textContent = 'A shop';
    main.append(title);
    document.body.append(main);
  });
  afterEach(async () => {
    cleanup();
    await emulateMedia({ colorScheme: 'light' });
    await setViewport({ width: 800, height: 600 });
  });

  it('has no axe violations in launcher mode: closed, open on the start screen, answered, dark, on a phone', async () => {
    const chat = await mountChat({}, main);
    for (const [name, value] of Object.entries({
      launcher: '',
      greeting: 'Hi! Ask me about orders.',
      suggestions: 'Where is my order? | Returns',
      'assistant-name': 'Nora',
      'assistant-avatar': '/demo/public/assistant-avatar.svg',
    })) {
      chat.setAttribute(name, value);
    }
    await chat.updateComplete;
    expect(await violations(axe), 'closed').to.deep.equal([]);
    chat.open = true;
    await chat.updateComplete;
    expect(part(chat, 'start-screen')).to.not.equal(null);
    expect(await violations(axe), 'open, start screen').to.deep.equal([]);
    await chat.send(`Accessible ${nonce()} [[length:60]]`);
    expect(await violations(axe), 'answered').to.deep.equal([]);
    await emulateMedia({ colorScheme: 'dark' });
    expect(await violations(axe), 'dark').to.deep.equal([]);
    await setViewport({ width: 390, height: 844 });
    await painted();
    expect(await violations(axe), 'phone, full screen').to.deep.equal([]);
  });

  it('has no axe violations inline: start screen with a heading, Jump to latest while streaming', async () => {
    const chat = await mountChat({ heading: 'Ask the docs' }, main);
    chat.greeting = 'Hello';
    chat.suggestions = ['How do I start?', 'What does it cost?'];
    await chat.updateComplete;
    expect(await violations(axe), 'start screen').to.deep.equal([]);
    chat.style.setProperty('--ai-stream-chat-max-height', '160px');
    void chat.send(`Scroll away ${nonce()} [[length:5000]] [[pace:0,120]]`);
    const transcript = part(chat, 'transcript');
    if (!transcript) throw new Error('no transcript');
    await waitFor(() => transcript.scrollHeight > transcript.clientHeight * 2, 'an answer taller than the view');
    transcript.scrollTop = 0;
    transcript.dispatchEvent(new Event('scroll'));
    await waitFor(() => part(chat, 'jump-button'), 'the jump button');
    expect(await violations(axe), 'jump to latest').to.deep.equal([]);
    chat.cancel();
  });
});
