/**
 * An incremental JSON parser: text goes in by chunks, the value grows in place.
 *
 * One pass over each character, ever: the parser keeps its lexer state (inside a
 * string, an escape, a number, a literal) between feeds, mutates the containers it
 * has shown, and rewrites only the one open string per feed. So a feed costs
 * O(chunk length) and a whole document O(n), where re-parsing the text on every
 * chunk costs O(n²). See docs/partial-json.md for what is shown when, and why.
 */
import { isNumberEnd, numberStep } from './number-grammar.js';
import type { PartialJsonError, PartialJsonParser, PartialJsonResult, PathSegment } from './types.js';

type Container = Record<string, unknown> | unknown[];

// Parser states; plain numbers keep the widget bundle small.
/** A value must come next (top level, after `:`, after `,` in an array). */
const VALUE = 0;
/** After `[`: a value or `]`. */
const FIRST_ITEM = 1;
/** After `{`: a key or `}`. */
const FIRST_KEY = 2;
/** After `,` in an object. */
const KEY = 3;
const COLON = 4;
/** After a value inside a container: `,` or the closer. */
const AFTER = 5;
const STRING = 6;
const ESCAPE = 7;
const UNICODE = 8;
const NUMBER = 9;
const LITERAL = 10;
/** The top-level value is finished: only whitespace may follow. */
const DONE = 11;

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const LITERALS: Record<string, readonly [string, unknown]> = { t: ['true', true], f: ['false', false], n: ['null', null] };

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/** `JSON.parse` makes `__proto__` an own property; a plain assignment would set the prototype. */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Creates a parser for one JSON document that arrives in pieces.
 *
 * @example
 * const parser = createPartialJsonParser();
 * parser.feed('{"title": "Hel'); // value: { title: 'Hel' }, openPath: ['title']
 * parser.feed('lo", "n": 4');    // value: { title: 'Hello' } (4 may still grow: 42)
 * parser.feed('2}');             // value: { title: 'Hello', n: 42 }, complete: true
 */
export function createPartialJsonParser(): PartialJsonParser {
  let root: unknown;
  let state = VALUE;
  /** Characters consumed by earlier feeds, for error positions. */
  let consumed = 0;
  let error: PartialJsonError | undefined;
  let ended = false;
  const stack: Container[] = [];
  const path: PathSegment[] = [];
  /** The last finished key of the innermost object. */
  let key = '';
  let isKey = false;
  /** The open string's text so far, without `held`. */
  let str = '';
  /** A high surrogate held back until its pair arrives, so no half pair is shown. */
  let held = '';
  let hex = 0;
  let hexDigits = 0;
  /** The number's text so far. */
  let token = '';
  let numberState = 0;
  let literal: readonly [string, unknown] = ['', null];
  let literalIndex = 0;

  const fail = (message: string, position: number): void => {
    error = { message, position };
  };

  /** Shows `value` in the innermost container; `replace` overwrites the open slot. */
  function place(value: unknown, replace = false): void {
    const top = stack[stack.length - 1];
    if (!top) root = value;
    else if (!Array.isArray(top)) assign(top, key, value);
    else if (replace) top[top.length - 1] = value;
    else top.push(value);
  }

  /** Shows a string or container that stays open, and records where it lives. */
  function open(value: unknown): void {
    place(value);
    const top = stack[stack.length - 1];
    if (top) path.push(Array.isArray(top) ? top.length - 1 : key);
  }

  function finishValue(): void {
    state = stack.length ? AFTER : DONE;
  }

  function close(): void {
    stack.pop();
    path.pop();
    finishValue();
  }

  function append(text: string): void {
    const s = held + text;
    held = '';
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last < 0xdc00) {
      held = s.slice(-1);
      str += s.slice(0, -1);
    } else {
      str += s;
    }
  }

  function closeString(): void {
    const s = str + held;
    if (isKey) {
      key = s;
      state = COLON;
    } else {
      place(s, true);
      path.pop();
      finishValue();
    }
  }

  function startString(forKey: boolean): void {
    if (!forKey) open('');
    isKey = forKey;
    str = held = '';
    state = STRING;
  }

  /** Whitespace aside: what may appear between tokens. */
  function structural(c: number, at: number): void {
    const top = stack[stack.length - 1];
    if (state === VALUE || state === FIRST_ITEM) {
      if (c === 93 && state === FIRST_ITEM) return close();
      if (c === 34) return startString(false);
      if (c === 123 || c === 91) {
        const container: Container = c === 91 ? [] : {};
        open(container);
        stack.push(container);
        state = c === 91 ? FIRST_ITEM : FIRST_KEY;
        return;
      }
      if (c === 45 || (c >= 48 && c <= 57)) {
        numberState = numberStep(0, c);
        token = String.fromCharCode(c);
        state = NUMBER;
        return;
      }
      const found = LITERALS[String.fromCharCode(c)];
      if (found) {
        literal = found;
        literalIndex = 1;
        state = LITERAL;
        return;
      }
    } else if (state === FIRST_KEY || state === KEY) {
      if (c === 34) return startString(true);
      if (c === 125 && state === FIRST_KEY) return close();
    } else if (state === COLON) {
      if (c === 58) {
        state = VALUE;
        return;
      }
    } else if (state === AFTER) {
      const isArray = Array.isArray(top);
      if (c === 44) {
        state = isArray ? VALUE : KEY;
        return;
      }
      if (c === (isArray ? 93 : 125)) return close();
    }
    fail(`Unexpected ${JSON.stringify(String.fromCharCode(c))}`, at);
  }

  /** Whether `c` may follow a value here; a number is shown only when one does. */
  function isDelimiter(c: number): boolean {
    const top = stack[stack.length - 1];
    return isSpace(c) || (!!top && (c === 44 || c === (Array.isArray(top) ? 93 : 125)));
  }

  function result(): PartialJsonResult {
    return error
      ? { value: root, complete: false, openPath: path, error }
      : { value: root, complete: state === DONE, openPath: path };
  }

  function feed(chunk: string): PartialJsonResult {
    if (ended && !error) fail('Input after end', consumed);
    const n = chunk.length;
    // A UTF-8 BOM, decoded, is U+FEFF; only the very first character may be one.
    let i = consumed === 0 && chunk.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (i < n && !error) {
      const c = chunk.charCodeAt(i);
      if (state === STRING) {
        // The hot loop: take the longest run that needs no decoding in one slice.
        let j = i;
        for (let d = c; d > 31 && d !== 34 && d !== 92 && ++j < n; ) d = chunk.charCodeAt(j);
        if (j > i) append(chunk.slice(i, j));
        if (j < n) {
          const d = chunk.charCodeAt(j);
          if (d === 34) closeString();
          else if (d === 92) state = ESCAPE;
          else fail('Control character in string', consumed + j);
        }
        i = j + 1;
        continue;
      }
      if (state === ESCAPE) {
        const decoded = ESCAPES[chunk.charAt(i)];
        if (c === 117) {
          hex = hexDigits = 0;
          state = UNICODE;
        } else if (decoded === undefined) {
          fail('Bad escape', consumed + i);
        } else {
          append(decoded);
          state = STRING;
        }
      } else if (state === UNICODE) {
        const digit = parseInt(chunk.charAt(i), 16);
        if (Number.isNaN(digit)) {
          fail('Bad \\u escape', consumed + i);
        } else {
          hex = hex * 16 + digit;
          if (++hexDigits === 4) {
            append(String.fromCharCode(hex));
            state = STRING;
          }
        }
      } else if (state === NUMBER) {
        const next = numberStep(numberState, c);
        if (next >= 0) {
          numberState = next;
          token += chunk.charAt(i);
        } else if (isNumberEnd(numberState) && isDelimiter(c)) {
          // The token is finished: show it, then read `c` again as a delimiter.
          place(Number(token));
          finishValue();
          continue;
        } else {
          fail('Bad number', consumed + i);
        }
      } else if (state === LITERAL) {
        if (c !== literal[0].charCodeAt(literalIndex)) {
          fail(`Unexpected ${JSON.stringify(chunk.charAt(i))}`, consumed + i);
        } else if (++literalIndex === literal[0].length) {
          place(literal[1]);
          finishValue();
        }
      } else if (!isSpace(c)) {
        structural(c, consumed + i);
      }
      i++;
    }
    if (!isKey && (state === STRING || state === ESCAPE || state === UNICODE)) place(str, true);
    consumed += n;
    return result();
  }

  function end(): PartialJsonResult {
    if (!ended && !error) {
      if (state === NUMBER && !stack.length && isNumberEnd(numberState)) {
        root = Number(token);
        state = DONE;
      }
      if (state !== DONE) fail('Unexpected end of input', consumed);
    }
    ended = true;
    return result();
  }

  return { feed, end };
}
