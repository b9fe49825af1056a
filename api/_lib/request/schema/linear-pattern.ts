import { RE2JS } from 're2js';

/**
 * Client-supplied regular expressions (`pattern`, `patternProperties` keys, a string
 * checked by `format: "regex"`) run on RE2JS, a linear-time engine: no backtracking, so
 * `^(a+)+$` against 30 `a`s and a `!` takes about a millisecond, not 45 s.
 * RE2 has no lookaround and no backreferences; such a pattern does not compile.
 */

/** Largest compiled RE2 program a pattern may have (RE2's own measure of its cost). */
export const MAX_PATTERN_PROGRAM = 2_000;

/** Longest pattern source, in UTF-16 units. */
export const MAX_PATTERN_LENGTH = 1_000;

/** A pattern that RE2 cannot run, or that is too large; `reason` is safe to show. */
export class PatternError extends Error {
  override name = 'PatternError';
}

/**
 * Compiles an ECMAScript pattern (JSON Schema's dialect) to RE2.
 * Throws a PatternError naming the reason when RE2 cannot run it.
 *
 * @example
 * compileLinearPattern('^(a+)+$').test('a'.repeat(30) + '!'); // false, in linear time
 */
export function compileLinearPattern(source: string): RE2JS {
  if (source.length > MAX_PATTERN_LENGTH) throw new PatternError(`it is longer than ${MAX_PATTERN_LENGTH} characters`);
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(source));
  } catch (err) {
    // RE2's messages name the construct ("invalid or unsupported Perl syntax: `(?=`").
    const detail = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : 'it does not compile';
    throw new PatternError(`RE2 cannot run it (${detail}); lookaround and backreferences are not supported`);
  }
  if (compiled.programSize() > MAX_PATTERN_PROGRAM) throw new PatternError(`it compiles to more than ${MAX_PATTERN_PROGRAM} RE2 instructions`);
  return compiled;
}

/** Called for every match the validator runs, with the length of the text matched. */
export type MatchMeter = (textLength: number) => void;

/**
 * A stand-in for the global `RegExp` that @cfworker/json-schema constructs for
 * `pattern`, `patternProperties` and `format: "regex"` (`new RegExp(source, 'u')`, then
 * `.test(text)`; nothing else). Compilations are cached per source.
 */
function linearRegExpClass(cache: Map<string, RE2JS>, meter: MatchMeter): new (source: string) => { test(text: string): boolean } {
  return class LinearRegExp {
    readonly #compiled: RE2JS;
    constructor(source: string) {
      const key = String(source);
      let compiled = cache.get(key);
      if (!compiled) {
        compiled = compileLinearPattern(key);
        cache.set(key, compiled);
      }
      this.#compiled = compiled;
    }
    test(text: string): boolean {
      const input = String(text);
      meter(input.length);
      return this.#compiled.test(input);
    }
  };
}

/**
 * Runs `run` (synchronous) with the global `RegExp` replaced by an RE2-backed class, so
 * every regular expression @cfworker/json-schema builds from the schema or the answer
 * while validating is matched in linear time. The library looks `RegExp` up at call
 * time; regex literals (its own format checks) keep the built-in engine. Nothing else
 * runs while `run` does, and the original is put back even when `run` throws.
 */
export function withLinearRegExp<T>(cache: Map<string, RE2JS>, meter: MatchMeter, run: () => T): T {
  const original = globalThis.RegExp;
  globalThis.RegExp = linearRegExpClass(cache, meter) as unknown as RegExpConstructor;
  try {
    return run();
  } finally {
    globalThis.RegExp = original;
  }
}
