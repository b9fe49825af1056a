import { describe, expect, it } from 'vitest';
import { sampleFromSchema } from '../../demo/upstream/json-schema-sample.js';
import { anyOfBomb, evilPatternSchema, nestedArrays, refCycle } from '../support/hostile-schemas.js';

describe('the local upstream sampler on hostile schemas', () => {
  it.each([
    ['a $ref cycle', refCycle],
    ['a required member that refers back to the root', { type: 'object', properties: { a: { $ref: '#' } }, required: ['a'] }],
    ['a 100,000-deep nested array', { type: 'object', examples: nestedArrays(100_000) }],
    ['a huge minItems and minLength', { type: 'array', minItems: 1e9, items: { type: 'string', minLength: 1e9 } }],
    ['a $ref that is not URI-encoded', { $ref: '#/%ZZ' }],
    ['the anyOf bomb', anyOfBomb()],
  ])('answers %s with bounded work and valid JSON', (_, schema) => {
    const value = sampleFromSchema(schema, 'topic');
    expect(JSON.parse(JSON.stringify(value))).toEqual(value);
    expect(JSON.stringify(value).length).toBeLessThan(500_000);
  });

  it('keeps a property named __proto__ an own key and the evil pattern field its const', () => {
    const schema: unknown = JSON.parse('{"type":"object","properties":{"__proto__":{"type":"integer","minimum":1,"maximum":1}},"required":["__proto__"]}');
    const value = sampleFromSchema(schema, 'x') as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toBe(1);
    expect(sampleFromSchema(evilPatternSchema, 'x')).toEqual({ word: evilPatternSchema.properties.word.const });
  });
});
