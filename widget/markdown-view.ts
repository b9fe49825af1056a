import * as smd from 'streaming-markdown';
import { codeLanguage } from './code-language.js';
import { safeHref } from './safe-url.js';

/** Markdown rendered into an element as it arrives. */
export interface MarkdownView {
  /** Parses and renders another piece of the text. */
  write(chunk: string): void;
  /** Flushes what the parser held back (an unfinished line, an open emphasis). */
  end(): void;
}

/** What the view tells its owner while it renders. */
export interface MarkdownViewOptions {
  /**
   * A fenced code block with a language label began: `code` is its (still empty)
   * `<code>` element, `language` the sanitized label (see {@link codeLanguage}).
   */
  onCodeBlock?: (code: HTMLElement, language: string) => void;
}

interface RenderState {
  /** Open elements, the root first. */
  nodes: HTMLElement[];
  /** The token each open element came from (same index as `nodes`). */
  types: smd.Token[];
  options: MarkdownViewOptions;
}

// Only these tags are ever created: model output picks among them, never names a tag.
const tags: Partial<Record<smd.Token, string>> = {
  [smd.BLOCKQUOTE]: 'blockquote',
  [smd.PARAGRAPH]: 'p',
  [smd.LINE_BREAK]: 'br',
  [smd.RULE]: 'hr',
  [smd.HEADING_1]: 'h1',
  [smd.HEADING_2]: 'h2',
  [smd.HEADING_3]: 'h3',
  [smd.HEADING_4]: 'h4',
  [smd.HEADING_5]: 'h5',
  [smd.HEADING_6]: 'h6',
  [smd.ITALIC_AST]: 'em',
  [smd.ITALIC_UND]: 'em',
  [smd.STRONG_AST]: 'strong',
  [smd.STRONG_UND]: 'strong',
  [smd.STRIKE]: 's',
  [smd.CODE_INLINE]: 'code',
  [smd.LINK]: 'a',
  [smd.RAW_URL]: 'a',
  // An image becomes a link to it: the widget must not make the page fetch a URL the model chose.
  [smd.IMAGE]: 'a',
  [smd.LIST_UNORDERED]: 'ul',
  [smd.LIST_ORDERED]: 'ol',
  [smd.LIST_ITEM]: 'li',
  [smd.CHECKBOX]: 'span',
  [smd.TABLE]: 'table',
  [smd.TABLE_ROW]: 'tr',
  [smd.EQUATION_BLOCK]: 'pre',
  [smd.EQUATION_INLINE]: 'code',
};

/**
 * Renders markdown into `root` incrementally and safely: every element is created
 * with `createElement` from a fixed list, text only ever becomes text nodes (raw HTML
 * in the answer shows as text), links keep an `href` only when it is http(s) or
 * mailto, and images are shown as links. Adjacent text is merged into one node, so a
 * long answer does not leave one node per token. A fenced code block's language label
 * is the `data-lang` attribute of its `<pre>` (CSS draws it, as text).
 */
export function createMarkdownView(root: HTMLElement, options: MarkdownViewOptions = {}): MarkdownView {
  const renderer: smd.Renderer<RenderState> = {
    data: { nodes: [root], types: [smd.DOCUMENT], options },
    add_token: addToken,
    end_token: endToken,
    add_text: addText,
    set_attr: setAttr,
  };
  const parser = smd.parser(renderer);
  return {
    write: (chunk) => smd.parser_write(parser, chunk),
    end: () => smd.parser_end(parser),
  };
}

function addToken(state: RenderState, type: smd.Token): void {
  if (type === smd.DOCUMENT) return;
  let parent = state.nodes[state.nodes.length - 1]!;
  let element: HTMLElement;
  if (type === smd.CODE_BLOCK || type === smd.CODE_FENCE) {
    parent = parent.appendChild(document.createElement('pre'));
    // A long line scrolls the block sideways: the keyboard must reach it to scroll it (WCAG 2.1.1).
    parent.tabIndex = 0;
    element = document.createElement('code');
  } else if (type === smd.TABLE_ROW) {
    // The first row is the header; the rest go in one body.
    const section = parent.children.length === 0 ? 'thead' : 'tbody';
    parent = parent.querySelector(`:scope > ${section}`) ?? parent.appendChild(document.createElement(section));
    element = document.createElement('tr');
  } else if (type === smd.TABLE_CELL) {
    element = document.createElement(parent.parentElement?.tagName === 'THEAD' ? 'th' : 'td');
  } else {
    element = document.createElement(tags[type] ?? 'span');
  }
  if (type === smd.LINK || type === smd.RAW_URL || type === smd.IMAGE) {
    element.setAttribute('rel', 'noopener noreferrer nofollow ugc');
    element.setAttribute('target', '_blank');
  }
  if (type === smd.IMAGE) element.className = 'image';
  if (type === smd.CHECKBOX) element.textContent = '\u2610';
  state.nodes.push(parent.appendChild(element));
  state.types.push(type);
}

function endToken(state: RenderState): void {
  const element = state.nodes.pop();
  const type = state.types.pop();
  // An image without alt text would be an empty link: show where it points instead.
  if (element && type === smd.IMAGE && element.textContent === '') {
    element.textContent = element.getAttribute('href') ?? 'image';
  }
}

function addText(state: RenderState, text: string): void {
  const element = state.nodes[state.nodes.length - 1]!;
  const last = element.lastChild;
  if (last && last.nodeType === Node.TEXT_NODE) (last as Text).appendData(text);
  else element.appendChild(document.createTextNode(text));
}

function setAttr(state: RenderState, attr: smd.Attr, value: string): void {
  const element = state.nodes[state.nodes.length - 1]!;
  const type = state.types[state.types.length - 1];
  if (attr === smd.HREF || attr === smd.SRC) {
    const href = safeHref(value);
    if (href !== undefined) element.setAttribute('href', href);
  } else if (attr === smd.START && type === smd.LIST_ORDERED && /^\d{1,9}$/.test(value)) {
    element.setAttribute('start', value);
  } else if (attr === smd.CHECKED && type === smd.CHECKBOX) {
    element.textContent = '\u2611';
  } else if (attr === smd.LANG && type === smd.CODE_FENCE) {
    const language = codeLanguage(value);
    if (language === undefined) return;
    // On the <pre>, outside the <code>: the label is drawn by CSS and is not part of the code (nor of a copy of it).
    element.parentElement?.setAttribute('data-lang', language);
    state.options.onCodeBlock?.(element, language);
  }
}
