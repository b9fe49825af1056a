import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPartialJsonParser } from '../../widget/shared/partial-json/index.js';
import type { PartialJsonResult, PathSegment } from '../../widget/shared/partial-json/index.js';
import { anyJson, chunkSizes, cut } from './partial-json-arbitraries.js';

interface Snapshot {
  value: unknown;
  complete: boolean;
  openPath: PathSegment[];
  error: PartialJsonResult['error'];
}

/** The parser mutates its value in place, so each step is kept as a deep copy. */
const snapshot = (r: PartialJsonResult): Snapshot => ({
  value: structuredClone(r.value),
  complete: r.complete,
  openPath: [...r.openPath],
  error: r.error && { ...r.error },
});

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function run(chunks: readonly string[]): { steps: Snapshot[]; last: Snapshot } {
  const parser = createPartialJsonParser();
  const steps = chunks.map((chunk) => snapshot(parser.feed(chunk)));
  return { steps, last: snapshot(parser.end()) };
}

const isHigh = (code: number): boolean => code >= 0xd800 && code < 0xdc00;
const isLow = (code: number): boolean => code >= 0xdc00 && code < 0xe000;
/** Whether cutting `text` at `at` separates the halves of a surrogate pair. */
const splitsPair = (text: string, at: number): boolean =>
  at > 0 && isHigh(text.charCodeAt(at - 1)) && isLow(text.charCodeAt(at));

/**
 * Why `shown` is not `final` with only the values along `open` unfinished, or
 * undefined if it is. `open` undefined: this value is closed and must be exact.
 */
function inconsistency(shown: unknown, final: unknown, open: readonly PathSegment[] | undefined, at = '$'): string | undefined {
  if (!open) return isDeepStrictEqual(shown, final) ? undefined : `${at}: closed value differs from the final one`;
  const [head, ...rest] = open;
  if (typeof shown === 'string') {
    if (typeof final !== 'string' || !final.startsWith(shown)) return `${at}: string is not a prefix of the final one`;
    if (splitsPair(final, shown.length)) return `${at}: string ends inside a surrogate pair`;
    return head === undefined ? undefined : `${at}: open path goes below a string`;
  }
  if (Array.isArray(shown)) {
    if (!Array.isArray(final) || shown.length > final.length) return `${at}: array is not a prefix of the final one`;
    if (head !== undefined && head !== shown.length - 1) return `${at}: open element ${String(head)} is not the last`;
    for (const [k, item] of shown.entries()) {
      const problem = inconsistency(item, final[k], k === head ? rest : undefined, `${at}[${k}]`);
      if (problem) return problem;
    }
    return undefined;
  }
  if (isObject(shown)) {
    if (!isObject(final)) return `${at}: object where the final value is not one`;
    if (head !== undefined && !Object.hasOwn(shown, head)) return `${at}: open key ${String(head)} is not shown`;
    for (const k of Object.keys(shown)) {
      if (!Object.hasOwn(final, k)) return `${at}: key ${k} is not in the final value`;
      const problem = inconsistency(shown[k], final[k], k === head ? rest : undefined, `${at}.${k}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return `${at}: a ${typeof shown} is shown as unfinished`;
}

/** Whether `next` keeps all of `prev`: same types, strings and arrays extended, keys kept. */
function grows(prev: unknown, next: unknown): boolean {
  if (prev === undefined) return true;
  if (typeof prev === 'string') return typeof next === 'string' && next.startsWith(prev);
  if (Array.isArray(prev)) {
    return Array.isArray(next) && prev.length <= next.length && prev.every((item, k) => grows(item, next[k]));
  }
  if (isObject(prev)) {
    return isObject(next) && Object.keys(prev).every((k) => Object.hasOwn(next, k) && grows(prev[k], next[k]));
  }
  return Object.is(prev, next);
}

describe('partial JSON parser, random documents in random chunks', () => {
  it('shows only prefixes of the final value, never loses any, and ends equal to JSON.parse', () => {
    fc.assert(
      fc.property(anyJson, chunkSizes, (text, sizes) => {
        const expected: unknown = JSON.parse(text);
        const { steps, last } = run(cut(text, sizes));
        let prev: unknown;
        for (const [k, step] of steps.entries()) {
          const where = `after chunk ${k}`;
          expect(step.error, where).toBeUndefined();
          if (step.complete) {
            expect(isDeepStrictEqual(step.value, expected), where).toBe(true);
          } else if (step.value !== undefined) {
            expect(inconsistency(step.value, expected, step.openPath), where).toBeUndefined();
          }
          expect(grows(prev, step.value), `${where}: something shown was changed or lost`).toBe(true);
          prev = step.value;
        }
        expect(last.error).toBeUndefined();
        expect(last.complete).toBe(true);
        expect(last.openPath).toEqual([]);
        expect(isDeepStrictEqual(last.value, expected)).toBe(true);
      }),
      { numRuns: 300 },
    );
    // 300 documents checked at every step: about 6 s alone, several times that beside the
    // integration suites on two busy cores. A bound on work, not a timing claim.
  }, 120_000);

  it('gives the same result whatever the chunking', () => {
    fc.assert(
      fc.property(anyJson, chunkSizes, (text, sizes) => {
        expect(run(cut(text, sizes)).last).toEqual(run([text]).last);
      }),
      { numRuns: 100 },
    );
  });

  it('accepts a byte order mark before the document', () => {
    fc.assert(
      fc.property(anyJson, chunkSizes, (text, sizes) => {
        const { last } = run(cut(`\ufeff${text}`, sizes));
        expect(last.error).toBeUndefined();
        expect(isDeepStrictEqual(last.value, JSON.parse(text))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

/** Edits that tend to break JSON: a structural or random character in, one out, one swapped. */
const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('insert', 'delete', 'replace', 'truncate'),
  char: fc.oneof(fc.constantFrom(...'{}[]",:\\ 0-.eE+tfnu\u0001x'), fc.string({ minLength: 1, maxLength: 1 })),
});

function mutate(text: string, m: { at: number; kind: string; char: string }): { text: string; at: number } {
  const at = m.at % (text.length + 1);
  if (m.kind === 'insert') return { text: text.slice(0, at) + m.char + text.slice(at), at };
  if (m.kind === 'truncate') return { text: text.slice(0, at), at };
  const rest = text.slice(at + 1);
  return { text: text.slice(0, at) + (m.kind === 'replace' ? m.char : '') + rest, at };
}

const parsesAs = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
};

describe('partial JSON parser, broken documents', () => {
  it('reports an error at or after the first impossible character, never a wrong value', () => {
    fc.assert(
      fc.property(anyJson, mutation, chunkSizes, (original, m, sizes) => {
        const broken = mutate(original, m);
        const parsed = parsesAs(broken.text);
        const { steps, last } = run(cut(broken.text, sizes));
        if (parsed.ok) {
          // Some edits still give JSON (a digit more, a space); then it must parse right.
          expect(last.error).toBeUndefined();
          expect(isDeepStrictEqual(last.value, parsed.value)).toBe(true);
          return;
        }
        expect(last.complete).toBe(false);
        const error = last.error;
        expect(error).toBeDefined();
        if (!error) return;
        // Everything before the edit is a prefix of a valid document.
        expect(error.position).toBeGreaterThanOrEqual(broken.at);
        expect(error.position).toBeLessThanOrEqual(broken.text.length);
        // What is shown is exactly what the valid prefix before the error shows.
        const parser = createPartialJsonParser();
        const before = snapshot(parser.feed(broken.text.slice(0, error.position)));
        expect(before.error).toBeUndefined();
        expect(last.value).toEqual(before.value);
        // Once there, the error stays.
        const firstBad = steps.findIndex((s) => s.error);
        expect(steps.slice(firstBad === -1 ? steps.length : firstBad).every((s) => isDeepStrictEqual(s.error, error))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
