import { expect } from 'chai';
import { emulateMedia } from '@web/test-runner-commands';
import { cleanup, mountChat, part } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

function addPageStyle(css: string): HTMLStyleElement {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
  return style;
}

describe('<ai-stream-chat> theming and style isolation', () => {
  const added: HTMLElement[] = [];
  afterEach(async () => {
    cleanup();
    for (const element of added.splice(0)) element.remove();
    await emulateMedia({ colorScheme: 'light' });
  });

  it('takes colours from --ai-stream-chat-* custom properties and styles from ::part', async () => {
    added.push(
      addPageStyle(`
        ai-stream-chat.themed { --ai-stream-chat-accent: rgb(1, 2, 3); --ai-stream-chat-bg: rgb(250, 240, 230); }
        ai-stream-chat.themed::part(send-button) { border-radius: 0px; }
      `),
    );
    const chat = await mountChat();
    chat.classList.add('themed');
    const button = part(chat, 'send-button');
    if (!button) throw new Error('no button');
    expect(getComputedStyle(button).backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(getComputedStyle(button).borderRadius).to.equal('0px');
    expect(getComputedStyle(part(chat, 'chat') ?? button).backgroundColor).to.equal('rgb(250, 240, 230)');
  });

  it('follows prefers-color-scheme', async () => {
    const chat = await mountChat();
    const frame = part(chat, 'chat');
    if (!frame) throw new Error('no frame');
    const light = getComputedStyle(frame).backgroundColor;
    await emulateMedia({ colorScheme: 'dark' });
    const dark = getComputedStyle(frame).backgroundColor;
    expect(light).to.equal('rgb(255, 255, 255)');
    expect(dark).to.not.equal(light);
  });

  it("keeps the page's inherited text styles out, and its own styles in", async () => {
    const page = document.createElement('div');
    page.className = 'loud-page';
    const pageButton = document.createElement('button');
    pageButton.textContent = 'page';
    page.append(pageButton);
    document.body.append(page);
    added.push(page, addPageStyle('.loud-page { letter-spacing: 7px; text-transform: uppercase; font-style: italic; }'));
    const before = getComputedStyle(pageButton).backgroundColor;
    const chat = await mountChat({}, page);
    const button = part(chat, 'send-button');
    if (!button) throw new Error('no button');
    expect(getComputedStyle(button).letterSpacing).to.equal('normal');
    expect(getComputedStyle(button).textTransform).to.equal('none');
    expect(getComputedStyle(part(chat, 'transcript') ?? button).fontStyle).to.equal('normal');
    // The element's button styles do not reach the page's buttons.
    expect(getComputedStyle(pageButton).backgroundColor).to.equal(before);
  });

  it('sets no inline style attributes (strict CSP without unsafe-inline styles)', async () => {
    const chat = await mountChat();
    await chat.send('Styles [[length:40]]');
    expect(chat.shadowRoot?.querySelectorAll('[style]')).to.have.length(0);
    expect(chat.shadowRoot?.querySelectorAll('style')).to.have.length(0);
  });
});
