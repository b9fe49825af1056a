/** Hostile JSON Schemas from issue 10's probes, shared by the unit and integration tests. */

/** The ReDoS probe: 30 `a`s and a `!` against `^(a+)+$` froze the process for 45 s. */
export const EVIL_TEXT = `${'a'.repeat(30)}!`;
export const EVIL_PATTERN = '^(a+)+$';

/** An answer field the local upstream fills with EVIL_TEXT (it copies `const`), checked by the evil pattern. */
export const evilPatternSchema = {
  type: 'object',
  properties: { word: { const: EVIL_TEXT, pattern: EVIL_PATTERN } },
  required: ['word'],
};

/** About 1 KB of `$defs`: nested `anyOf` of width 2 over `$ref`s, depth 14 (2^15 subschemas per value). */
export function anyOfBomb(depth = 14): Record<string, unknown> {
  const defs: Record<string, unknown> = { d0: { type: 'string' } };
  for (let i = 1; i <= depth; i += 1) defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i - 1}` }, { $ref: `#/$defs/d${i - 1}` }] };
  return { $defs: defs, $ref: `#/$defs/d${depth}` };
}

/** `levels` arrays nested in one another: `[[[…]]]`. */
export function nestedArrays(levels: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < levels; i += 1) value = [value];
  return value;
}

/** A `$ref` cycle that never moves into the answer. */
export const refCycle = { $defs: { a: { $ref: '#/$defs/b' }, b: { anyOf: [{ $ref: '#/$defs/a' }] } }, $ref: '#/$defs/a' };

/**
 * Small and acyclic in place, but each nested array is checked twice (two `allOf`
 * members whose `items` refer back to the root): visits double with every level of
 * the answer, so only a step budget catches it.
 */
export const doublingPerLevel = { type: 'array', allOf: [{ items: { $ref: '#' } }, { items: { $ref: '#' } }] };
