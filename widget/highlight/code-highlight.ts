import { languageNamed, type Language } from './languages.js';
import { tokenizeLine, tokenKinds, type LineState, type TokenKind } from './tokenize.js';

/**
 * The prefix of the highlight names (`ai-stream-chat-keyword`, …). `CSS.highlights` is
 * one registry per document, so the names are the element's, and every widget on the
 * page (and every copy of this module) shares one `Highlight` per kind, adding and
 * removing only its own ranges: a second widget never replaces the first one's
 * highlight. Each shadow root's own `::highlight()` rules colour its ranges.
 */
export const highlightPrefix = 'ai-stream-chat-';

type Painted = Array<readonly [Highlight, StaticRange]>;

// Blocks with ranges in the registry, so those of removed widgets can be let go.
const blocks = new Set<CodeHighlight>();
const byCode = new WeakMap<Element, CodeHighlight>();
let visibility: IntersectionObserver | undefined;

/**
 * Chromium rebuilds its markers for every range of every registered highlight after
 * any DOM change, so each frame of a stream costs in proportion to all ranges on the
 * page, not to the new ones (docs/benchmarks.md: without this, colouring cost more
 * than re-rendering spans). Only blocks on or near the screen keep their ranges in the
 * registry; the others keep them aside, and get them back when scrolled near.
 */
function observeVisibility(code: HTMLElement, block: CodeHighlight): void {
  visibility ??= new IntersectionObserver(
    (entries) => {
      for (const entry of entries) byCode.get(entry.target)?.show(entry.isIntersecting);
    },
    { rootMargin: '50% 0px' },
  );
  byCode.set(code, block);
  visibility.observe(code);
}

/**
 * Colours one code block's text with the CSS Custom Highlight API while it grows. The
 * block's text node is never touched: complete lines are tokenized once and their
 * ranges kept; only the unfinished last line is tokenized again on each update.
 * Ranges are `StaticRange`s: the text only grows at its end, so their offsets stay
 * true, and unlike live `Range`s they cost the document nothing on each append.
 */
export class CodeHighlight {
  readonly #code: HTMLElement;
  readonly #language: Language;
  #text: Text | undefined;
  #seen = 0;
  /** Where the unfinished last line starts: text before it is tokenized for good. */
  #done = 0;
  #state: LineState;
  #final: Painted = [];
  #provisional: Painted = [];
  #wasConnected = false;
  /** Whether the ranges are in the registry (the block is on or near the screen). */
  #shown = false;

  constructor(code: HTMLElement, language: Language) {
    this.#code = code;
    this.#language = language;
    releaseRemoved();
    blocks.add(this);
    observeVisibility(code, this);
  }

  /** Puts the block's ranges in the registry, or takes them out (they are kept to come back). */
  show(shown: boolean): void {
    if (shown === this.#shown) return;
    this.#shown = shown;
    for (const [highlight, range] of [...this.#final, ...this.#provisional]) {
      if (shown) highlight.add(range);
      else highlight.delete(range);
    }
  }

  /** Colours what the block's text gained since the last call (call it after each write). */
  update(): void {
    const text = this.#code.firstChild;
    if (!(text instanceof Text) || text.nextSibling) return;
    this.#wasConnected ||= text.isConnected;
    if (text !== this.#text) {
      this.remove();
      this.#text = text;
    }
    const data = text.data;
    if (data.length === this.#seen) return;
    this.#seen = data.length;
    const highlights = registeredHighlights();
    this.#unpaint(this.#provisional.splice(0));
    const lineEnd = data.lastIndexOf('\n') + 1;
    if (lineEnd > this.#done) {
      this.#state = this.#paint(text, highlights, this.#done, lineEnd, this.#state, this.#final);
      this.#done = lineEnd;
    }
    if (lineEnd < data.length) this.#paint(text, highlights, lineEnd, data.length, this.#state, this.#provisional);
  }

  /** Takes the block's ranges out of the registry and forgets its text. */
  remove(): void {
    this.#unpaint(this.#final.splice(0));
    this.#unpaint(this.#provisional.splice(0));
    this.#text = undefined;
    this.#seen = 0;
    this.#done = 0;
    this.#state = undefined;
  }

  /** True once the block was on the page and no longer is (its widget was removed). */
  get removed(): boolean {
    return this.#wasConnected && !this.#code.isConnected;
  }

  #paint(text: Text, highlights: Record<TokenKind, Highlight>, from: number, to: number, state: LineState, into: Painted): LineState {
    const data = text.data;
    let lineStart = from;
    while (lineStart < to) {
      const newline = data.indexOf('\n', lineStart);
      const lineEnd = newline === -1 || newline >= to ? to : newline;
      state = tokenizeLine(this.#language, data.slice(lineStart, lineEnd), state, (kind, start, end) => {
        const range = new StaticRange({ startContainer: text, startOffset: lineStart + start, endContainer: text, endOffset: lineStart + end });
        const highlight = highlights[kind];
        if (this.#shown) highlight.add(range);
        into.push([highlight, range]);
      });
      lineStart = lineEnd + 1;
    }
    return state;
  }

  #unpaint(painted: Painted): void {
    if (this.#shown) for (const [highlight, range] of painted) highlight.delete(range);
  }

  /** Lets go of the block for good: its ranges and its place among the watched blocks. */
  release(): void {
    this.remove();
    visibility?.unobserve(this.#code);
    blocks.delete(this);
  }
}

/**
 * Starts highlighting a code block whose label is `label`; `undefined` when the
 * language is not one the tokenizer knows (the code stays plain).
 */
export function highlightCode(code: HTMLElement, label: string): CodeHighlight | undefined {
  const language = languageNamed(label);
  return language ? new CodeHighlight(code, language) : undefined;
}

/** The document's highlight for each kind, created on first use or taken over from another widget's copy. */
function registeredHighlights(): Record<TokenKind, Highlight> {
  const found = {} as Record<TokenKind, Highlight>;
  for (const kind of tokenKinds) {
    const name = highlightPrefix + kind;
    let highlight = CSS.highlights.get(name);
    if (!highlight) CSS.highlights.set(name, (highlight = new Highlight()));
    found[kind] = highlight;
  }
  return found;
}

/** Lets go of the ranges of blocks whose widget left the page (they would keep its nodes alive). */
function releaseRemoved(): void {
  for (const block of blocks) {
    if (block.removed) block.release();
  }
}
