import { describe, expect, it } from 'vitest';
import { createJsonOutputCheck } from '../../api/_lib/answer/json-output-check.js';
import { BoundedValidator } from '../../api/_lib/request/schema/bounded-validator.js';
import { SCHEMA_BOUNDS } from '../../api/_lib/request/schema/schema-bounds.js';
import { StepBudgetExceeded } from '../../api/_lib/request/schema/step-budget.js';
import { StreamError } from '../../api/_lib/stream-error.js';
import { EVIL_PATTERN, anyOfBomb, doublingPerLevel, nestedArrays, refCycle } from '../support/hostile-schemas.js';

function rejection(schema: unknown): { code: string; status: number; message: string } {
  try {
    BoundedValidator.compile(schema);
  } catch (err) {
    if (err instanceof StreamError) return { code: err.code, status: err.status, message: err.message };
    throw err;
  }
  throw new Error('the schema was accepted');
}

describe('BoundedValidator: patterns', () => {
  it('checks ^(a+)+$ against 10,000 a and a "!" in a bounded number of steps', () => {
    const validator = BoundedValidator.compile({ type: 'string', pattern: EVIL_PATTERN });
    expect(validator.validate(`${'a'.repeat(10_000)}!`).valid).toBe(false);
    // One subschema visit, plus the pattern's read of 10,001 characters at 64 a step.
    expect(validator.lastSteps).toBe(1 + 1 + Math.floor(10_001 / 64));
    expect(validator.validate('aaaa').valid).toBe(true);
  });

  it('runs patternProperties on RE2 with the same meaning', () => {
    const validator = BoundedValidator.compile({ type: 'object', patternProperties: { '^x-\\d+$': { type: 'number' } }, additionalProperties: false });
    expect(validator.validate({ 'x-1': 2, 'x-22': 3 }).valid).toBe(true);
    expect(validator.validate({ 'x-1': 'two' }).valid).toBe(false);
    expect(validator.validate({ y: 1 }).valid).toBe(false);
  });

  it('keeps ECMAScript spellings RE2 lacks working (named groups, \\u{…}, \\p{L})', () => {
    const validator = BoundedValidator.compile({ type: 'string', pattern: '^(?<word>\\p{L}+) \\u{1F600}$' });
    expect(validator.validate('café 😀').valid).toBe(true);
    expect(validator.validate('café 😁').valid).toBe(false);
  });

  it.each([
    ['a lookahead', { type: 'string', pattern: '^(?=a)a+$' }],
    ['a backreference', { type: 'string', pattern: '^(a)\\1$' }],
    ['a lookbehind in patternProperties', { type: 'object', patternProperties: { '(?<!x)y': {} } }],
    ['a pattern that is not a string', { type: 'string', pattern: 42 }],
    ['a pattern deep inside anyOf', { anyOf: [{ type: 'number' }, { properties: { a: { pattern: '(a)\\1' } } }] }],
  ])('rejects %s with unsafe_pattern', (_, schema) => {
    expect(rejection(schema)).toMatchObject({ code: 'unsafe_pattern', status: 400 });
  });

  it('restores the global RegExp after validating, even when the check throws', () => {
    const original = globalThis.RegExp;
    const validator = BoundedValidator.compile(doublingPerLevel);
    expect(() => validator.validate(nestedArrays(40))).toThrow(StepBudgetExceeded);
    expect(globalThis.RegExp).toBe(original);
    BoundedValidator.compile({ pattern: 'a+' }).validate('aa');
    expect(globalThis.RegExp).toBe(original);
  });

  it('treats the non-standard format "url" (whose built-in check backtracks) as an annotation', () => {
    const validator = BoundedValidator.compile({ type: 'string', format: 'url' });
    expect(validator.validate(`http://${'a'.repeat(40)}!`).valid).toBe(true);
    expect(validator.lastSteps).toBe(1);
  });
});

describe('BoundedValidator: bombs', () => {
  it('rejects the 1 KB anyOf-over-$ref bomb before checking anything', () => {
    const bomb = anyOfBomb();
    expect(JSON.stringify(bomb).length).toBeLessThan(1_100);
    expect(rejection(bomb)).toMatchObject({ code: 'schema_too_complex', status: 400, message: expect.stringContaining(`more than ${SCHEMA_BOUNDS.maxInPlace} subschemas`) });
  });

  it('accepts the same shape while it stays small (depth 6: 253 subschemas per value)', () => {
    expect(BoundedValidator.compile(anyOfBomb(6)).validate('x').valid).toBe(true);
  });

  it('counts fan-out through draft 7 dependencies, also when a $ref points at them', () => {
    // d6 alone is checked against 253 subschemas in place, just under the bound.
    const { $defs } = anyOfBomb(6);
    expect(BoundedValidator.compile({ $defs, $ref: '#/$defs/d6' }).validate('x').valid).toBe(true);
    expect(rejection({ $defs, dependencies: { a: { allOf: [{ $ref: '#/$defs/d6' }, { $ref: '#/$defs/d6' }] } } })).toMatchObject({ code: 'schema_too_complex' });
    const viaRef = { $defs, dependencies: { anyOf: [{ $ref: '#/$defs/d6' }, { $ref: '#/$defs/d6' }] }, $ref: '#/dependencies' };
    expect(rejection(viaRef)).toMatchObject({ code: 'schema_too_complex', message: expect.stringContaining('subschemas') });
  });

  it('rejects a 100,000-deep nested array without overflowing the stack', () => {
    expect(rejection({ type: 'object', examples: nestedArrays(100_000) })).toMatchObject({ code: 'schema_too_complex', message: expect.stringContaining('nests deeper than') });
  });

  it('rejects a $ref cycle that never moves into the answer', () => {
    expect(rejection(refCycle)).toMatchObject({ code: 'schema_too_complex', message: expect.stringContaining('refers back to itself') });
    expect(rejection({ $ref: '#' })).toMatchObject({ code: 'schema_too_complex' });
  });

  it('rejects schemas with too many values, subschemas or references', () => {
    expect(rejection({ enum: Array.from({ length: SCHEMA_BOUNDS.maxValues }, (_, i) => i) })).toMatchObject({ code: 'schema_too_complex' });
    const many = Object.fromEntries(Array.from({ length: SCHEMA_BOUNDS.maxSubschemas }, (_, i) => [`p${i}`, {}]));
    expect(rejection({ properties: many })).toMatchObject({ code: 'schema_too_complex', message: expect.stringContaining('subschemas') });
    const refs = Object.fromEntries(Array.from({ length: SCHEMA_BOUNDS.maxRefs + 1 }, (_, i) => [`p${i}`, { $ref: '#/$defs/s' }]));
    expect(rejection({ $defs: { s: { type: 'string' } }, properties: refs })).toMatchObject({ code: 'schema_too_complex', message: expect.stringContaining('references') });
  });

  it('still allows recursion that moves into the answer', () => {
    const tree = { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#' } } }, required: ['name'] };
    const validator = BoundedValidator.compile(tree);
    expect(validator.validate({ name: 'a', children: [{ name: 'b', children: [{ name: 'c' }] }] }).valid).toBe(true);
    expect(validator.validate({ name: 'a', children: [{ children: [] }] }).valid).toBe(false);
  });

  it('stops a check whose visits multiply with the depth of the answer at the step budget', () => {
    const validator = BoundedValidator.compile(doublingPerLevel);
    expect(validator.validate(nestedArrays(8)).valid).toBe(true);
    expect(() => validator.validate(nestedArrays(40))).toThrow(StepBudgetExceeded);
    expect(validator.lastSteps).toBe(SCHEMA_BOUNDS.maxSteps + 1);
  });

  it('reports an answer past the step budget as schema_too_complex, not a mismatch', () => {
    const check = createJsonOutputCheck(BoundedValidator.compile(doublingPerLevel));
    check.push(JSON.stringify(nestedArrays(40)));
    expect(check.finish(false)).toMatchObject({ code: 'schema_too_complex', retryable: false });
  });
});

describe('BoundedValidator: uniqueItems', () => {
  it('charges each uniqueItems visit for the pairs it compares, so 100 of them in place stop at the budget', () => {
    const items = Array.from({ length: 4_000 }, (_, i) => i);
    const hundred = BoundedValidator.compile({ type: 'array', allOf: Array.from({ length: 100 }, () => ({ uniqueItems: true })) });
    expect(() => hundred.validate(items)).toThrow(StepBudgetExceeded);
    const one = BoundedValidator.compile({ type: 'array', uniqueItems: true });
    expect(one.validate(items.slice(0, 1_000)).valid).toBe(true);
    expect(one.validate([1, 2, 1]).valid).toBe(false);
  });
});
