import type { Language } from './languages.js';

/** The kinds of token that get a colour; each has its own `::highlight()` rule. */
export const tokenKinds = ['keyword', 'literal', 'string', 'number', 'comment'] as const;
/** One kind of coloured token. */
export type TokenKind = (typeof tokenKinds)[number];

/** A string or comment still open at the end of a line: how it closes. `undefined` when nothing is open. */
export type LineState = { readonly close: string; readonly kind: 'string' | 'comment' } | undefined;

/** Receives each token of a line: its kind and its offsets in the line. */
export type TokenSink = (kind: TokenKind, start: number, end: number) => void;

const numberPattern = /(?:0[xob][\da-f_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:e[+-]?\d+)?)[a-z%]*/iy;
const wordPattern = /[a-z_$][\w$]*/iy;
const dashedWordPattern = /[a-z_$][\w$-]*/iy;

/**
 * Tokenizes one line (no line break in it), starting in `state` (a string or comment
 * left open by the line before), and returns the state the next line starts in. One
 * pass, no backtracking: the cost is linear in the line's length, so a growing block
 * costs only its new lines.
 */
export function tokenizeLine(language: Language, line: string, state: LineState, emit: TokenSink): LineState {
  let at = 0;
  if (state) {
    const end = closeOf(line, 0, state.close, state.kind === 'string');
    // An empty line inside a comment or string has nothing to colour.
    if (line) emit(state.kind, 0, end < 0 ? line.length : end);
    if (end < 0) return state;
    at = end;
  }
  const words = language.dashes ? dashedWordPattern : wordPattern;
  while (at < line.length) {
    const char = line[at]!;
    if (char === ' ' || char === '\t') {
      at++;
      continue;
    }
    if (language.lineComments.some((open) => line.startsWith(open, at))) {
      emit('comment', at, line.length);
      return undefined;
    }
    const block = language.blockComment;
    if (block && line.startsWith(block[0], at)) {
      const end = closeOf(line, at + block[0].length, block[1], false);
      emit('comment', at, end < 0 ? line.length : end);
      if (end < 0) return { close: block[1], kind: 'comment' };
      at = end;
      continue;
    }
    const quote = language.quotes.find((open) => line.startsWith(open, at));
    if (quote) {
      const end = closeOf(line, at + quote.length, quote, true);
      emit('string', at, end < 0 ? line.length : end);
      if (end < 0) return language.multiline.includes(quote) ? { close: quote, kind: 'string' } : undefined;
      at = end;
      continue;
    }
    numberPattern.lastIndex = at;
    if (/[\d.]/.test(char) && numberPattern.test(line)) {
      emit('number', at, numberPattern.lastIndex);
      at = numberPattern.lastIndex;
      continue;
    }
    words.lastIndex = at;
    if (words.test(line)) {
      const word = line.slice(at, words.lastIndex);
      const key = language.ignoreCase ? word.toLowerCase() : word;
      if (language.keywords.has(key)) emit('keyword', at, words.lastIndex);
      else if (language.literals.has(key)) emit('literal', at, words.lastIndex);
      at = words.lastIndex;
      continue;
    }
    at++;
  }
  return undefined;
}

/** The offset just past `close` from `from` on (skipping backslash escapes in strings), or -1 when the line ends first. */
function closeOf(line: string, from: number, close: string, escapes: boolean): number {
  for (let at = from; at < line.length; at++) {
    if (escapes && line[at] === '\\') at++;
    else if (line.startsWith(close, at)) return at + close.length;
  }
  return -1;
}
