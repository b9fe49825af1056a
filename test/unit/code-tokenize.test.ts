import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codeLanguage } from '../../widget/code-language.js';
import { languageNamed, type Language } from '../../widget/highlight/languages.js';
import { tokenizeLine, type LineState, type TokenKind } from '../../widget/highlight/tokenize.js';

type Token = [kind: TokenKind, text: string];

/** Every coloured token of `code`, line by line with the state carried over, as [kind, text]. */
function tokens(label: string, code: string): Token[] {
  const language = languageNamed(label) as Language;
  const found: Token[] = [];
  let state: LineState;
  for (const line of code.split('\n')) state = tokenizeLine(language, line, state, (kind, start, end) => found.push([kind, line.slice(start, end)]));
  return found;
}

describe('codeLanguage (the label of a fenced code block)', () => {
  it('is the first word of the info string, bounded, without control or bidi characters', () => {
    expect(codeLanguage('python title="a.py"')).toBe('python');
    expect(codeLanguage('  ts  ')).toBe('ts');
    expect(codeLanguage('"><img src=x onerror=alert(1)>')).toBe('"><img');
    expect(codeLanguage('javascript:alert(1)')).toBe('javascript:alert(1)');
    expect(codeLanguage('\u202Egnp.exe')).toBe('gnp.exe');
    expect(codeLanguage('x'.repeat(100))).toHaveLength(24);
    expect(codeLanguage('')).toBeUndefined();
    expect(codeLanguage(' \u200B ')).toBeUndefined();
  });
});

describe('tokenizeLine', () => {
  it('finds keywords, literals, strings, numbers and comments in TypeScript', () => {
    expect(tokens('ts', 'const n = 0x1F + 2.5e3; // sum\nreturn "a\\"b" ?? null;')).toEqual([
      ['keyword', 'const'],
      ['number', '0x1F'],
      ['number', '2.5e3'],
      ['comment', '// sum'],
      ['keyword', 'return'],
      ['string', '"a\\"b"'],
      ['literal', 'null'],
    ]);
  });

  it('carries a block comment and a multi-line string across lines', () => {
    expect(tokens('js', 'a /* one\ntwo */ if\nx = `three\nfour` + 1')).toEqual([
      ['comment', '/* one'],
      ['comment', 'two */'],
      ['keyword', 'if'],
      ['string', '`three'],
      ['string', 'four`'],
      ['number', '1'],
    ]);
    expect(tokens('python', 's = """doc\nstring""" # note\nif True: pass')).toEqual([
      ['string', '"""doc'],
      ['string', 'string"""'],
      ['comment', '# note'],
      ['keyword', 'if'],
      ['literal', 'True'],
      ['keyword', 'pass'],
    ]);
  });

  it('ends a single-line string at the line end, and matches SQL keywords in any case', () => {
    expect(tokens('c', 'char *s = "open\nint x;')).toEqual([
      ['keyword', 'char'],
      ['string', '"open'],
      ['keyword', 'int'],
    ]);
    expect(tokens('sql', "SELECT name FROM t WHERE a = 'x' -- c")).toEqual([
      ['keyword', 'SELECT'],
      ['keyword', 'FROM'],
      ['keyword', 'WHERE'],
      ['string', "'x'"],
      ['comment', '-- c'],
    ]);
  });

  it('knows a dozen languages by their usual labels, in any case, and no others', () => {
    for (const label of ['js', 'TypeScript', 'tsx', 'py', 'bash', 'go', 'rust', 'java', 'cpp', 'c#', 'sql', 'css', 'json', 'yaml']) {
      expect(languageNamed(label), label).toBeDefined();
    }
    for (const label of ['brainfuck', 'toString', '__proto__', 'constructor']) expect(languageNamed(label), label).toBeUndefined();
  });

  it('gives tokens inside the line, in order, never overlapping, for any line in any state', () => {
    const labels = ['js', 'python', 'sh', 'go', 'rust', 'java', 'c', 'cs', 'sql', 'css', 'json', 'yaml'];
    const states: LineState[] = [undefined, { close: '*/', kind: 'comment' }, { close: '`', kind: 'string' }, { close: '"""', kind: 'string' }];
    const text = fc.string({ unit: fc.constantFrom(...'ab1.xe_$-"\'`/*#\\ \t=<>'.split(''), 'if', '0x', '"""', '--'), maxLength: 80 });
    fc.assert(
      fc.property(fc.constantFrom(...labels), fc.constantFrom(...states), text, (label, state, line) => {
        let last = 0;
        tokenizeLine(languageNamed(label) as Language, line, state, (_kind, start, end) => {
          expect(start).toBeGreaterThanOrEqual(last);
          expect(end).toBeGreaterThan(start);
          expect(end).toBeLessThanOrEqual(line.length);
          last = end;
        });
      }),
      { numRuns: 2000 },
    );
  });
});
