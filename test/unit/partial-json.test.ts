import { afterEach, describe, expect, it } from 'vitest';
import { createPartialJsonParser } from '../../widget/shared/partial-json/index.js';
import type { PartialJsonResult } from '../../widget/shared/partial-json/index.js';

/** Feeds `chunks` one by one; returns a deep copy of each result, then of `end()`. */
function steps(...chunks: string[]): PartialJsonResult[] {
  const parser = createPartialJsonParser();
  const copy = (r: PartialJsonResult): PartialJsonResult => structuredClone({ ...r, openPath: [...r.openPath] });
  return [...chunks.map((c) => copy(parser.feed(c))), copy(parser.end())];
}

const values = (...chunks: string[]): unknown[] => steps(...chunks).map((r) => r.value);

describe('splits inside tokens', () => {
  it('shows a key only once it is complete, and its value once its type is known', () => {
    expect(values('{"ke', 'y"', ' : ', '"', 'v"}')).toEqual([{}, {}, {}, { key: '' }, { key: 'v' }, { key: 'v' }]);
    expect(values('{"a":', '{', '}}')).toEqual([{}, { a: {} }, { a: {} }, { a: {} }]);
    expect(values('{"a": [', ']}')).toEqual([{ a: [] }, { a: [] }, { a: [] }]);
  });

  it('never shows half an escape', () => {
    expect(values('"a\\', 'nb"')).toEqual(['a', 'a\nb', 'a\nb']);
    expect(values('"\\u00', 'e', '9!"')).toEqual(['', '', 'é!', 'é!']);
    expect(values('["\\', '"', '\\\\', '\\/"]')).toEqual([[''], ['"'], ['"\\'], ['"\\/'], ['"\\/']]);
  });

  it('never shows half a surrogate pair, escaped or raw', () => {
    expect(values('"x\\ud83d', '\\ude00"')).toEqual(['x', 'x😀', 'x😀']);
    expect(values('"x\\uD83D\\uDE', '00y"')).toEqual(['x', 'x😀y', 'x😀y']);
    const [high, low] = ['😀'.charAt(0), '😀'.charAt(1)];
    expect(values(`"x${high}`, `${low}y`, '"')).toEqual(['x', 'x😀y', 'x😀y', 'x😀y']);
  });

  it('keeps a lone surrogate as JSON.parse does, once the string closes', () => {
    const text = '["\\ud800", "\\udc00x", "\\ud800\\u0041"]';
    expect(values(...text)).toContainEqual(JSON.parse(text));
    expect(values('"\\ud800', '"').at(-1)).toBe('\ud800');
  });

  it('shows a number only when a delimiter ends it', () => {
    expect(values('[1', '2', '.', '5', 'e', '+', '3', ']')).toEqual([[], [], [], [], [], [], [], [12500], [12500]]);
    expect(values('[1', ' ', ']')).toEqual([[], [1], [1], [1]]);
    expect(values('{"n": -', '0', '}').at(-1)).toEqual({ n: -0 });
    expect(Object.is((values('[-0]').at(-1) as number[])[0], -0)).toBe(true);
  });

  it('finishes a bare top-level number only at the end of input (or at whitespace)', () => {
    expect(values('1', '2')).toEqual([undefined, undefined, 12]);
    expect(steps('12').at(-1)).toEqual({ value: 12, complete: true, openPath: [] });
    expect(steps('1e5 ')[0]).toEqual({ value: 100000, complete: true, openPath: [] });
    expect(steps('-').at(-1)?.error).toEqual({ message: 'Unexpected end of input', position: 1 });
    expect(steps('1.').at(-1)?.error?.position).toBe(2);
  });

  it('shows true, false and null only when complete', () => {
    expect(values('[tr', 'ue, fals', 'e, n', 'ull]')).toEqual([[], [true], [true, false], [true, false, null], [true, false, null]]);
    expect(steps('nul').at(-1)?.error?.position).toBe(3);
    expect(steps('[nulL]')[0]?.error?.position).toBe(4);
  });
});

describe('whole documents', () => {
  it('handles pretty-printing, CRLF, tabs and a byte order mark', () => {
    const value = { a: [1, { b: 'c' }, []], d: {}, e: null };
    for (const text of [JSON.stringify(value, null, 2), JSON.stringify(value, null, '\t').replace(/\n/g, '\r\n')]) {
      expect(steps(...`\ufeff${text}\n`).at(-1)).toEqual({ value, complete: true, openPath: [] });
    }
  });

  it('rejects a byte order mark anywhere but first', () => {
    expect(steps('[1,\ufeff2]')[0]?.error?.position).toBe(3);
    expect(steps('', '\ufeff1').at(-1)?.value).toBe(1);
    expect(steps('1', '\ufeff').at(-1)?.error?.position).toBe(1);
  });

  it('lets the last duplicate key win, as JSON.parse does', () => {
    const text = '{"a": 1, "b": 2, "a": [3]}';
    expect(values(text).at(-1)).toEqual(JSON.parse(text));
  });

  it('makes __proto__ an own property and leaves the prototype alone', () => {
    const text = '{"__proto__": {"polluted": true}, "x": {"__proto__": "s"}}';
    const value = createPartialJsonParser().feed(text).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__', 'x']);
    expect(value).toEqual(JSON.parse(text));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('the value grows in place', () => {
  it('keeps the identity of every container it has shown', () => {
    const parser = createPartialJsonParser();
    const root = parser.feed('{"list": [{"a": 1}, ').value as { list: unknown[] };
    const list = root.list;
    const first = list[0];
    parser.feed('"gro');
    const after = parser.feed('wing"]}');
    expect(after.value).toBe(root);
    expect(root.list).toBe(list);
    expect(list[0]).toBe(first);
    expect(root).toEqual({ list: [{ a: 1 }, 'growing'] });
  });

  it('reports the path of the value being written', () => {
    const paths = steps('{"a": [1, "x', 'y", {"b": "', '"', '}', ']', '}').map((r) => r.openPath);
    expect(paths).toEqual([['a', 1], ['a', 2, 'b'], ['a', 2], ['a'], [], [], []]);
  });
});

describe('errors', () => {
  it.each([
    ['[1,]', 3],
    ['{"a" 1}', 5],
    ['{"a":1,}', 7],
    ['[1 2]', 3],
    ['[01]', 2],
    ['"\\x"', 2],
    ['"\\u12G4"', 5],
    ['"a\u0001"', 2],
    ['[1}', 2],
    ['{"a":1]', 6],
    ['[1] x', 4],
    ['{} {}', 3],
    ["{'a': 1}", 1],
    ['[.5]', 1],
    ['[+1]', 1],
    ['[1e]', 3],
    ['[-]', 2],
    ['', 0],
    ['   ', 3],
  ])('%j is an error at %i', (text, position) => {
    const results = steps(...text);
    const last = results.at(-1);
    expect(last?.error?.position).toBe(position);
    expect(last?.complete).toBe(false);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('keeps the error, and what was shown before it, whatever comes next', () => {
    const parser = createPartialJsonParser();
    parser.feed('["ok", 1');
    const first = parser.feed('x');
    expect(first).toEqual({ value: ['ok'], complete: false, openPath: [], error: { message: 'Bad number', position: 8 } });
    expect(parser.feed('2]')).toEqual(first);
    expect(parser.end()).toEqual(first);
  });

  it('rejects input after end', () => {
    const parser = createPartialJsonParser();
    parser.feed('[1]');
    expect(parser.end().complete).toBe(true);
    expect(parser.feed(' ').error).toEqual({ message: 'Input after end', position: 3 });
  });

  it('takes empty chunks anywhere', () => {
    expect(steps('', '[', '', '"a', '', '"]', '').at(-1)).toEqual({ value: ['a'], complete: true, openPath: [] });
  });
});

describe('cost', () => {
  const methods = ['charCodeAt', 'charAt', 'slice', 'substring', 'indexOf', 'codePointAt', 'at'] as const;
  const originals = methods.map((name) => [name, String.prototype[name]] as const);
  afterEach(() => {
    for (const [name, original] of originals) Object.defineProperty(String.prototype, name, { value: original });
  });

  it('touches each character a bounded number of times, however long the document', () => {
    let calls = 0;
    for (const [name, original] of originals) {
      Object.defineProperty(String.prototype, name, {
        configurable: true,
        writable: true,
        value(this: string, ...args: unknown[]) {
          calls++;
          return (original as (...a: unknown[]) => unknown).apply(this, args);
        },
      });
    }
    const item = { text: 'line "quoted" \\ é 😀\n\u0001 and more', n: -12.5e-3, ok: true, tags: ['a', 'b'] };
    const text = JSON.stringify({ items: Array.from({ length: 400 }, (_, k) => ({ ...item, k })) }, null, 1);
    const parser = createPartialJsonParser();
    let worst = 0;
    for (const char of text) {
      const before = calls;
      parser.feed(char);
      worst = Math.max(worst, calls - before);
    }
    const total = calls;
    expect(parser.end().complete).toBe(true);
    // A parser that re-reads what came before would need calls in proportion to the text so far.
    expect(worst).toBeLessThanOrEqual(8);
    expect(total).toBeLessThanOrEqual(4 * text.length);
  });
});
