// Launcher mode: a button in a page corner that opens the chat as a panel.
import { expect } from 'chai';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import type { AiStreamToggleEvent } from '../../widget/launcher.js';
import { cleanup, mountChat, nextEvent, nonce, painted, part, shadow, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

async function mountLauncher(attributes: Record<string, string> = {}, parent: HTMLElement = document.body): Promise<AiStreamChat> {
  const chat = await mountChat({}, parent);
  for (const [name, value] of Object.entries(attributes)) chat.setAttribute(name, value);
  chat.setAttribute('launcher', '');
  await chat.updateComplete;
  return chat;
}

function launcherButton(chat: AiStreamChat): HTMLButtonElement {
  const button = part<HTMLButtonElement>(chat, 'launcher-button');
  if (!button) throw new Error('no launcher button');
  return button;
}

function panel(chat: AiStreamChat): HTMLElement {
  const element = part(chat, 'chat');
  if (!element) throw new Error('no panel');
  return element;
}

/** Whether the panel takes space on screen (it stays in the DOM while closed). */
function panelShown(chat: AiStreamChat): boolean {
  return panel(chat).getBoundingClientRect().height > 0;
}

function focused(chat: AiStreamChat): Element | null {
  return shadow(chat).activeElement;
}

describe('<ai-stream-chat launcher>', () => {
  afterEach(async () => {
    cleanup();
    document.documentElement.dir = '';
    await setViewport({ width: 800, height: 600 });
  });

  it('starts closed: a labelled button with aria-expanded="false", no panel on screen', async () => {
    const chat = await mountLauncher({ heading: 'Help' });
    const button = launcherButton(chat);
    expect(button.getAttribute('aria-label')).to.equal('Help');
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    expect(button.getAttribute('aria-controls')).to.equal(panel(chat).id);
    expect(panelShown(chat)).to.equal(false);
    expect(chat.open).to.equal(false);
    // Without a heading the button and the panel are named "Chat".
    chat.removeAttribute('heading');
    await chat.updateComplete;
    expect(button.getAttribute('aria-label')).to.equal('Chat');
  });

  it('the button opens the panel and focus moves to the message box; the button closes it and keeps focus', async () => {
    const chat = await mountLauncher();
    const toggles: boolean[] = [];
    chat.addEventListener('ai-stream-toggle', (event: AiStreamToggleEvent) => toggles.push(event.open));
    const button = launcherButton(chat);
    button.focus();
    await sendKeys({ press: 'Enter' });
    await chat.updateComplete;
    expect(chat.open).to.equal(true);
    expect(chat.hasAttribute('open'), 'open is reflected').to.equal(true);
    expect(button.getAttribute('aria-expanded')).to.equal('true');
    expect(panelShown(chat)).to.equal(true);
    expect(panel(chat).getAttribute('role')).to.equal('dialog');
    expect(focused(chat)?.tagName).to.equal('TEXTAREA');

    button.click();
    await chat.updateComplete;
    expect(chat.open).to.equal(false);
    expect(button.getAttribute('aria-expanded')).to.equal('false');
    expect(panelShown(chat)).to.equal(false);
    expect(focused(chat)).to.equal(button);
    expect(toggles).to.deep.equal([true, false]);
  });

  it('Esc closes the panel and focus goes back to the button; so does the close button', async () => {
    const chat = await mountLauncher();
    launcherButton(chat).click();
    await chat.updateComplete;
    expect(focused(chat)?.tagName).to.equal('TEXTAREA');
    await sendKeys({ press: 'Escape' });
    await chat.updateComplete;
    expect(chat.open).to.equal(false);
    expect(focused(chat)).to.equal(launcherButton(chat));

    launcherButton(chat).click();
    await chat.updateComplete;
    const close = part<HTMLButtonElement>(chat, 'close-button');
    expect(close?.getAttribute('aria-label')).to.equal('Close chat');
    close?.focus();
    await sendKeys({ press: 'Enter' });
    await chat.updateComplete;
    expect(chat.open).to.equal(false);
    expect(focused(chat)).to.equal(launcherButton(chat));
  });

  it('an answer goes on streaming while the panel is closed, and is there when it opens again', async () => {
    const chat = await mountLauncher();
    launcherButton(chat).click();
    await chat.updateComplete;
    const id = nonce();
    const done = nextEvent(chat, 'ai-stream-done');
    let cancelled = false;
    chat.addEventListener('ai-stream-cancel', () => (cancelled = true));
    // Slow enough that Esc lands mid-answer (the upstream takes 4 s).
    void chat.send(`Closed but busy ${id} [[length:240]] [[pace:0,60]]`);
    await nextEvent(chat, 'ai-stream-token');
    await sendKeys({ press: 'Escape' });
    await chat.updateComplete;
    expect(chat.open, 'Esc closed the panel').to.equal(false);
    // Esc again, on the launcher button of the closed panel: still no cancel.
    expect(focused(chat)).to.equal(launcherButton(chat));
    await sendKeys({ press: 'Escape' });
    const finished = await done;
    expect(cancelled, 'Esc did not cancel the answer').to.equal(false);
    expect(finished.usage.completionTokens).to.equal(240);
    expect(finished.text).to.contain(id);
    chat.open = true;
    await chat.updateComplete;
    expect(shadow(chat).querySelector('[part~="assistant"] [part~="content"]')?.textContent).to.contain(id);
    expect(focused(chat)?.tagName, 'opened by the page, focus still moves in').to.equal('TEXTAREA');
    // The transcript shows the end of the answer, as it would have had the panel stayed open.
    await painted();
    const transcript = part(chat, 'transcript');
    if (!transcript) throw new Error('no transcript');
    expect(transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight).to.be.below(30);
  });

  it('switching launcher on and off keeps the chat as it was: the conversation, the text in the message box', async () => {
    const chat = await mountChat();
    await chat.send(`Before the switch ${nonce()} [[length:30]]`);
    const input = shadow(chat).querySelector('textarea');
    const transcript = part(chat, 'transcript');
    if (!input || !transcript) throw new Error('no message box or transcript');
    input.value = 'half written';
    chat.launcher = true;
    chat.open = true;
    await chat.updateComplete;
    expect(shadow(chat).querySelector('textarea')).to.equal(input);
    expect(part(chat, 'transcript')).to.equal(transcript);
    expect(input.value).to.equal('half written');
    chat.launcher = false;
    await chat.updateComplete;
    expect(part(chat, 'launcher-button')).to.equal(null);
    expect(panelShown(chat)).to.equal(true);
    expect(shadow(chat).querySelector('textarea')).to.equal(input);
  });

  it('a page that starts with the panel open keeps its own focus', async () => {
    const field = document.createElement('input');
    field.setAttribute('aria-label', 'Search');
    document.body.append(field);
    field.focus();
    try {
      const chat = document.createElement('ai-stream-chat');
      chat.setAttribute('launcher', '');
      chat.setAttribute('open', '');
      const toggled: boolean[] = [];
      chat.addEventListener('ai-stream-toggle', (event) => toggled.push(event.open));
      document.body.append(chat);
      await chat.updateComplete;
      expect(panelShown(chat)).to.equal(true);
      expect(document.activeElement).to.equal(field);
      expect(toggled).to.deep.equal([]);
      chat.remove();
    } finally {
      field.remove();
    }
  });

  it('sits in the corner launcher-position names, following the writing direction for start and end', async () => {
    const chat = await mountLauncher();
    const side = (): 'left' | 'right' => {
      const rect = launcherButton(chat).getBoundingClientRect();
      return rect.left < innerWidth / 2 ? 'left' : 'right';
    };
    const corners: Array<[string, string, 'left' | 'right']> = [
      ['ltr', 'bottom-end', 'right'],
      ['ltr', 'bottom-start', 'left'],
      ['rtl', 'bottom-end', 'left'],
      ['rtl', 'bottom-start', 'right'],
      ['rtl', 'bottom-right', 'right'],
      ['ltr', 'bottom-left', 'left'],
      ['ltr', 'nonsense', 'right'],
    ];
    for (const [dir, position, expected] of corners) {
      document.documentElement.dir = dir;
      chat.setAttribute('launcher-position', position);
      await chat.updateComplete;
      expect(side(), `${dir} ${position}`).to.equal(expected);
      const rect = launcherButton(chat).getBoundingClientRect();
      expect(innerHeight - rect.bottom, 'at the bottom').to.be.within(8, 40);
      // The panel opens above the button, on the same side.
      chat.open = true;
      await chat.updateComplete;
      const box = panel(chat).getBoundingClientRect();
      expect(box.bottom).to.be.at.most(rect.top);
      expect(expected === 'right' ? Math.abs(box.right - rect.right) : Math.abs(box.left - rect.left), `${dir} ${position} panel`).to.be.below(1);
      chat.open = false;
      await chat.updateComplete;
    }
  });

  it('adds nothing to the host page: no light DOM, no styles in the document, only the element itself', async () => {
    const head = document.head.innerHTML;
    const sheets = document.styleSheets.length;
    const bodyChildren = document.body.childElementCount;
    const chat = await mountLauncher({ greeting: 'Hello' });
    chat.open = true;
    await chat.updateComplete;
    expect(chat.childNodes.length).to.equal(0);
    expect(document.head.innerHTML).to.equal(head);
    expect(document.styleSheets.length).to.equal(sheets);
    expect(document.adoptedStyleSheets.length).to.equal(0);
    expect(document.body.childElementCount).to.equal(bodyChildren + 1);
    expect(chat.getAttribute('style')).to.equal(null);
  });

  it('on a phone-sized viewport the panel fills the screen, its message box in view', async () => {
    await setViewport({ width: 390, height: 844 });
    const chat = await mountLauncher({ heading: 'Help' });
    launcherButton(chat).click();
    await chat.updateComplete;
    await painted();
    const box = panel(chat).getBoundingClientRect();
    expect([box.left, box.top, box.width, box.height]).to.deep.equal([0, 0, 390, 844]);
    const input = shadow(chat).querySelector('textarea')?.getBoundingClientRect();
    expect(input && input.bottom <= 844 && input.top >= 0, 'message box on screen').to.equal(true);
    // The panel covers its button: the title bar's close button closes it.
    expect(launcherButton(chat).getBoundingClientRect().height).to.equal(0);
    part<HTMLButtonElement>(chat, 'close-button')?.click();
    await chat.updateComplete;
    expect(launcherButton(chat).getBoundingClientRect().height).to.be.greaterThan(0);
    expect(focused(chat)).to.equal(launcherButton(chat));
  });

  it('the full-screen panel on a phone is modal to screen readers (aria-modal), and only there', async () => {
    await setViewport({ width: 390, height: 844 });
    const chat = await mountLauncher({ heading: 'Help' });
    launcherButton(chat).click();
    await chat.updateComplete;
    // Before, a screen reader could swipe from the panel into the page it covers.
    expect(panel(chat).getAttribute('aria-modal')).to.equal('true');
    // Wider than a phone: the panel floats beside the page, which stays usable.
    await setViewport({ width: 800, height: 600 });
    await waitFor(() => panel(chat).getAttribute('aria-modal') === null, 'aria-modal gone on a wide screen');
    await setViewport({ width: 390, height: 844 });
    await waitFor(() => panel(chat).getAttribute('aria-modal') === 'true', 'aria-modal back on a phone');
    part<HTMLButtonElement>(chat, 'close-button')?.click();
    await chat.updateComplete;
    expect(panel(chat).getAttribute('aria-modal')).to.equal(null);
  });
});
