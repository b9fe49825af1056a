import { render } from 'lit';
import { loadHighlighter, type BlockHighlighter } from './code-highlighter.js';
import { createPartialJsonParser, type PartialJsonResult } from './shared/partial-json/index.js';
import { renderJsonTree } from './json-tree.js';
import { createMarkdownView, type MarkdownView } from './markdown-view.js';
import { strings, type Strings } from './strings.js';

/** The words a finished answer's code blocks are labelled with, from the locale. */
export type CodeLabels = Pick<Strings, 'code' | 'copyCode'>;

/**
 * The rendered content of one assistant answer: a node the element's template places,
 * fed incrementally while the answer streams and kept as is once it is final (so a
 * finished answer is never re-parsed or re-rendered).
 */
export class AnswerView {
  /** The content element, placed by the element's template. */
  readonly node: HTMLDivElement;
  readonly #markdown: MarkdownView;
  /** The highlighter of the last code block, the one that may still grow. */
  #growing: BlockHighlighter | undefined;

  constructor() {
    this.node = document.createElement('div');
    this.node.className = 'content';
    this.node.setAttribute('part', 'content');
    this.#markdown = createMarkdownView(this.node, { onCodeBlock: (code, language) => this.#highlight(code, language) });
  }

  /** Renders the next piece of a markdown answer. */
  write(delta: string): void {
    this.#markdown.write(delta);
    this.#growing?.update();
  }

  /** Flushes the markdown parser: the answer ended (done, error or cancel). `labels` name the code blocks and their copy buttons. */
  end(labels: CodeLabels = strings): void {
    this.#markdown.end();
    this.#growing?.update();
    // An answer cut off just after a fence opened leaves a code block with nothing in it.
    for (const block of this.node.querySelectorAll('pre')) {
      if (!block.textContent) block.remove();
      else {
        // Focusable (markdown-view.ts) and named, so a screen reader says what the keyboard reached.
        block.setAttribute('role', 'group');
        block.after(copyCodeButton());
      }
    }
    labelCodeBlocks(this.node, labels);
  }

  /**
   * Colours a code block once the highlighter chunk is there (it loads on the first
   * block). Blocks open one after another, so only the newest can still grow: the one
   * before got its last text in the write that opened this one.
   */
  #highlight(code: HTMLElement, language: string): void {
    void loadHighlighter().then((chunk) => {
      const block = chunk?.highlightCode(code, language);
      if (!block) return;
      block.update();
      this.#growing = block;
    });
  }

  /** Shows a JSON answer's value as it stands (`result` from the partial-JSON parser). */
  showJson(result: PartialJsonResult | undefined): void {
    const openPath = result === undefined || result.complete ? undefined : result.openPath;
    render(renderJsonTree(result?.value, openPath), this.node);
  }

  /** The code of the block a copy-code button belongs to. */
  static codeOf(button: Element): string | undefined {
    const block = button.previousElementSibling;
    return block?.tagName === 'PRE' ? (block.textContent ?? '') : undefined;
  }

  /** A finished answer (restored from `messages`), rendered in one go. */
  static of(content: string, mode: 'text' | 'json', labels: CodeLabels = strings): AnswerView {
    const view = new AnswerView();
    if (mode === 'json') {
      const parser = createPartialJsonParser();
      parser.feed(content);
      const result = parser.end();
      if (result.error === undefined) {
        view.showJson(result);
        return view;
      }
    }
    view.write(content);
    view.end(labels);
    return view;
  }
}

/**
 * Names the finished code blocks under `root` and their copy buttons in the locale's
 * words: when an answer ends, and again over every answer when the language changes
 * (these nodes are built once, outside the element's template).
 */
export function labelCodeBlocks(root: ParentNode, labels: CodeLabels): void {
  for (const block of root.querySelectorAll('pre[role="group"]')) block.setAttribute('aria-label', labels.code);
  for (const button of root.querySelectorAll('.copy-code')) button.setAttribute('aria-label', labels.copyCode);
}

/**
 * A copy button after a finished code block. Its label is drawn by CSS from
 * `aria-label` (set by {@link labelCodeBlocks}), so the answer's text (its
 * `textContent`) stays the model's alone; the element handles its clicks (one
 * delegated listener).
 */
function copyCodeButton(): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary copy-code';
  button.setAttribute('part', 'copy-code-button');
  return button;
}
