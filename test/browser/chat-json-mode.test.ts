import { expect } from 'chai';
import { cleanup, lastAnswer, mountChat, nextEvent, nonce, part } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

describe('<ai-stream-chat mode="json">', () => {
  afterEach(cleanup);

  it('shows the value growing, marks what is unfinished, and fires ai-stream-json snapshots', async () => {
    const chat = await mountChat({ mode: 'json' });
    const snapshots: Array<{ value: unknown; complete: boolean }> = [];
    let openMarkersSeen = false;
    chat.addEventListener('ai-stream-json', (event) => {
      snapshots.push({ value: event.value, complete: event.complete });
      if (!event.complete && lastAnswer(chat).querySelector('.open .pending')) openMarkersSeen = true;
    });
    const done = nextEvent(chat, 'ai-stream-done');
    await chat.send(`Harbours ${nonce()} [[length:150]] [[pace:0,150]]`);
    const final = JSON.parse((await done).text) as Record<string, unknown>;

    expect(snapshots.length, 'snapshots').to.be.at.least(4);
    expect(openMarkersSeen, 'unfinished parts marked while streaming').to.equal(true);
    const last = snapshots.at(-1);
    expect(last?.complete).to.equal(true);
    expect(last?.value).to.deep.equal(final);
    expect(snapshots.slice(0, -1).every((snapshot) => !snapshot.complete)).to.equal(true);
    // Snapshots are copies: an early one did not keep growing with the parser's live value.
    const sizes = snapshots.map((snapshot) => JSON.stringify(snapshot.value ?? null).length);
    expect(sizes[0]).to.be.below(sizes.at(-1) ?? 0);
    for (let index = 1; index < sizes.length; index++) expect(sizes[index]).to.be.at.least(sizes[index - 1] ?? 0);

    const tree = part(chat, 'json');
    expect(tree, 'the value tree').to.not.equal(null);
    expect(tree?.querySelector('.open, .pending'), 'nothing marked unfinished at the end').to.equal(null);
    const keys = [...(tree?.querySelectorAll('.key') ?? [])].map((key) => key.textContent);
    expect(keys).to.include.members(Object.keys(final).map((key) => JSON.stringify(key)));
    // The model's strings are text in the tree, never markup.
    expect(tree?.textContent).to.include(JSON.stringify(final['locale']));
  });

  it('sends mode and schema with the request, and restores JSON answers as trees', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    const chat = await mountChat({ mode: 'json', schema });
    const done = nextEvent(chat, 'ai-stream-done');
    await chat.send(`A city ${nonce()}`);
    const value = JSON.parse((await done).text) as Record<string, unknown>;
    expect(value).to.have.property('city').that.is.a('string');

    const restored = await mountChat({ mode: 'json' });
    restored.messages = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '{"name":"<b>x</b>","n":[1,2]}' },
    ];
    await restored.updateComplete;
    const tree = part(restored, 'json');
    expect(tree?.querySelector('b')).to.equal(null);
    expect(tree?.textContent?.replace(/\s+/g, '')).to.equal('{"name":"<b>x</b>","n":[1,2]}');
  });
});
