// Code blocks: the language label (text only, from the info string) and syntax colours
// through the CSS Custom Highlight API while the block grows, without touching its text
// node; two widgets on one page share the document's highlight registry without clashing.
import { expect } from 'chai';
import type { AiStreamChat } from '../../widget/ai-stream-chat.js';
import { AnswerView } from '../../widget/answer-view.js';
import { cleanup, lastAnswer, mountChat, nextEvent, nonce, shadow, waitFor } from './support/chat-fixture.js';
import { afterEach, describe, it } from './support/mocha.js';

const fence = '```';
const kinds = ['keyword', 'literal', 'string', 'number', 'comment'] as const;
type Kind = (typeof kinds)[number];

/** Every highlighted range inside `text`, as [kind, covered text], in document order. */
function highlighted(text: Text): Array<[Kind, string]> {
  const found: Array<[Kind, number, string]> = [];
  for (const kind of kinds) {
    for (const range of CSS.highlights.get(`ai-stream-chat-${kind}`) ?? []) {
      const r = range as AbstractRange;
      if (r.startContainer !== text) continue;
      expect(r.endContainer).to.equal(text);
      found.push([kind, r.startOffset, text.data.slice(r.startOffset, r.endOffset)]);
    }
  }
  return found.sort((a, b) => a[1] - b[1]).map(([kind, , covered]) => [kind, covered]);
}

async function answerWith(chat: AiStreamChat, markdown: string): Promise<void> {
  const done = nextEvent(chat, 'ai-stream-done');
  await chat.send(`${markdown}\n\n${nonce()} [[echo]]`);
  await done;
  await chat.updateComplete;
}

describe('<ai-stream-chat> code blocks', () => {
  afterEach(cleanup);

  it('labels a block with the language of its info string, as text, and no label without one', async () => {
    const chat = await mountChat();
    await answerWith(
      chat,
      [
        `${fence}python title="x.py"\nprint(1)\n${fence}`,
        `${fence}"><img src=x onerror=alert(1)>\nhostile = 1\n${fence}`,
        `${fence}javascript:alert(1)\nlink = 2\n${fence}`,
        `${fence}\nplain = 3\n${fence}`,
      ].join('\n\n'),
    );
    const blocks = [...lastAnswer(chat).querySelectorAll('pre')];
    expect(blocks.map((pre) => pre.getAttribute('data-lang'))).to.deep.equal(['python', '"><img', 'javascript:alert(1)', null]);
    // Drawn by CSS from the attribute: shown, and never markup.
    expect(blocks.map((pre) => getComputedStyle(pre, '::before').content)).to.deep.equal(['"python"', '"\\"><img"', '"javascript:alert(1)"', 'none']);
    expect(shadow(chat).querySelector('img, a, [onerror]')).to.equal(null);
    // The label is not part of the code, so a copy of the block is the code alone.
    expect(blocks.map((pre) => pre.querySelector('code')?.textContent)).to.deep.equal(['print(1)', 'hostile = 1', 'link = 2', 'plain = 3']);
    for (const pre of blocks) expect([...pre.children].map((child) => child.tagName)).to.deep.equal(['CODE']);
  });

  it('colours the right ranges while the block grows, in the same text node', async function () {
    this.timeout(30_000);
    const chat = await mountChat();
    const code = [
      'const answer = 42; // the answer',
      'function greet(name) {',
      '  return "hello " + name;',
      '}',
      'let done = true;',
    ].join('\n');
    const done = nextEvent(chat, 'ai-stream-done');
    // Slow enough that many frames see the block part-way.
    void chat.send(`${fence}ts\n${code}\n${fence}\n${nonce()} [[echo]] [[pace:0,25]]`);
    const element = await waitFor(() => lastAnswer(chat).querySelector('pre code')?.firstChild, 'the code block text');
    const text = element as Text;
    const pre = lastAnswer(chat).querySelector('pre');
    const seen: Array<{ length: number; tokens: Array<[Kind, string]> }> = [];
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      seen.push({ length: text.data.length, tokens: highlighted(text) });
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
    await chat.updateComplete;

    // The block was never re-rendered: the same <pre>, the same single text node.
    const codeElement = lastAnswer(chat).querySelector('pre code');
    expect(lastAnswer(chat).querySelector('pre')).to.equal(pre);
    expect(codeElement?.firstChild).to.equal(text);
    expect(codeElement?.childNodes.length).to.equal(1);
    expect(text.data).to.equal(code);
    expect(highlighted(text)).to.deep.equal([
      ['keyword', 'const'],
      ['number', '42'],
      ['comment', '// the answer'],
      ['keyword', 'function'],
      ['keyword', 'return'],
      ['string', '"hello "'],
      ['keyword', 'let'],
      ['literal', 'true'],
    ]);
    // Part-way (however many frames the machine managed), only tokens of the final text were coloured.
    for (const { length, tokens } of seen.filter((snapshot) => snapshot.length < code.length)) {
      for (const [kind, covered] of tokens) {
        // Prefixes too: the unfinished last line is coloured as it stands ("do" of "done" is a keyword until the "n" comes).
        const allowed = ['const', '42', '4', '// the answer', 'function', 'return', '"hello "', 'let', 'do', 'true'];
        const ok = kind === 'comment' || kind === 'string' ? allowed.some((word) => word.startsWith(covered)) : allowed.includes(covered);
        expect(ok, `${kind} "${covered}" at length ${length}`).to.equal(true);
      }
    }
  });

  it('colours each piece as it is written, the unfinished line again, never replacing the text node', async () => {
    const view = new AnswerView();
    document.body.append(view.node);
    try {
      const steps: Array<[string, Array<[Kind, string]>]> = [
        // The markdown parser holds back a piece's last character until the next one arrives.
        [`${fence}ts\nconst answer = 4`, [['keyword', 'const']]],
        ['2; // the ans', [['keyword', 'const'], ['number', '42'], ['comment', '// the an']]],
        ['wer\nfunction greet(name) {\n  return "hel', [['keyword', 'const'], ['number', '42'], ['comment', '// the answer'], ['keyword', 'function'], ['keyword', 'return'], ['string', '"he']]],
        ['lo " + name;\n}\nlet done = tr', [['keyword', 'const'], ['number', '42'], ['comment', '// the answer'], ['keyword', 'function'], ['keyword', 'return'], ['string', '"hello "'], ['keyword', 'let']]],
        [`ue;\n${fence}\n`, [['keyword', 'const'], ['number', '42'], ['comment', '// the answer'], ['keyword', 'function'], ['keyword', 'return'], ['string', '"hello "'], ['keyword', 'let'], ['literal', 'true']]],
      ];
      let text: Text | undefined;
      for (const [piece, expected] of steps) {
        view.write(piece);
        const node = view.node.querySelector('pre code')?.firstChild as Text;
        text ??= node;
        expect(node, 'the same text node throughout').to.equal(text);
        await waitFor(() => highlighted(text!).length === expected.length, `${expected.length} coloured tokens after "${piece}"`);
        expect(highlighted(text)).to.deep.equal(expected);
      }
      view.end();
      expect(view.node.querySelector('pre code')?.childNodes.length).to.equal(1);

      // Far off screen, the block's ranges leave the registry (Chromium's cost per frame
      // grows with every registered range); back near the screen, they return.
      const coloured = highlighted(text!);
      const spacer = document.createElement('div');
      spacer.style.height = `${3 * innerHeight}px`;
      view.node.before(spacer);
      await waitFor(() => highlighted(text!).length === 0, 'the ranges of a block far off screen taken out');
      spacer.remove();
      await waitFor(() => highlighted(text!).length === coloured.length, 'the ranges back on screen');
      expect(highlighted(text!)).to.deep.equal(coloured);
    } finally {
      view.node.remove();
    }
  });

  it('two widgets on a page share the highlights without clashing, each in its own colours', async () => {
    const first = await mountChat();
    const second = await mountChat();
    second.style.setProperty('--ai-stream-chat-code-keyword', 'rgb(1, 2, 3)');
    await answerWith(first, `${fence}js\nconst a = 1;\n${fence}`);
    await answerWith(second, `${fence}py\nimport os\n${fence}`);
    const textOf = (chat: AiStreamChat): Text => lastAnswer(chat).querySelector('pre code')?.firstChild as Text;
    await waitFor(() => highlighted(textOf(second)).length > 0, 'colours in the second widget');
    // The second widget added its ranges to the same highlight: the first one's stay.
    expect(highlighted(textOf(first))).to.deep.equal([
      ['keyword', 'const'],
      ['number', '1'],
    ]);
    expect(highlighted(textOf(second))).to.deep.equal([['keyword', 'import']]);
    const keywordColour = (chat: AiStreamChat): string => getComputedStyle(lastAnswer(chat).querySelector('pre code')!, '::highlight(ai-stream-chat-keyword)').color;
    expect(keywordColour(second)).to.equal('rgb(1, 2, 3)');
    expect(keywordColour(first)).to.not.equal('rgb(1, 2, 3)');
    // What the reader sees at the keyword is the shared highlight, in the first widget's shadow root.
    const range = new Range();
    range.setStart(textOf(first), 0);
    range.setEnd(textOf(first), 5);
    const box = range.getBoundingClientRect();
    // Chromium 140+; not yet in TypeScript's DOM types.
    const registry = CSS.highlights as HighlightRegistry & {
      highlightsFromPoint(x: number, y: number, options: { shadowRoots: ShadowRoot[] }): Array<{ highlight: Highlight }>;
    };
    const hits = registry.highlightsFromPoint(box.left + 2, box.top + box.height / 2, { shadowRoots: [shadow(first)] });
    expect(hits.map((hit) => hit.highlight)).to.include(CSS.highlights.get('ai-stream-chat-keyword'));

    // A removed widget's ranges are let go when a block starts elsewhere; the other widget's stay.
    const gone = textOf(first);
    first.remove();
    await answerWith(second, `${fence}go\nfunc main() {}\n${fence}`);
    await waitFor(() => highlighted(textOf(second)).length > 0, 'colours in the new block');
    expect(highlighted(gone)).to.deep.equal([]);
    const [python, go] = [...shadow(second).querySelectorAll('pre code')].map((code) => code.firstChild as Text);
    expect(highlighted(python!)).to.deep.equal([['keyword', 'import']]);
    expect(highlighted(go!)).to.deep.equal([['keyword', 'func']]);
  });
});
