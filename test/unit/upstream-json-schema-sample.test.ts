import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sampleFromSchema } from '../../demo/upstream/json-schema-sample.js';

// Validated with zod's own JSON Schema reader, an implementation independent of the sampler.
function conforms(schema: Record<string, unknown>, value: unknown): boolean {
  return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(value).success;
}

const SCHEMAS: Record<string, Record<string, unknown>> = {
  'flat object with every scalar type': {
    type: 'object',
    properties: {
      title: { type: 'string', minLength: 3, maxLength: 12 },
      count: { type: 'integer', minimum: 3, maximum: 7 },
      score: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      done: { type: 'boolean' },
      nothing: { type: 'null' },
    },
    required: ['title', 'count', 'score', 'done', 'nothing'],
    additionalProperties: false,
  },
  'enums, consts and nullable types': {
    type: 'object',
    properties: {
      mood: { enum: ['happy', 'sad'] },
      version: { const: 2 },
      note: { type: ['string', 'null'] },
      pick: { anyOf: [{ type: 'null' }, { type: 'integer', multipleOf: 5, minimum: 11, maximum: 29 }] },
    },
    required: ['mood', 'version', 'note', 'pick'],
    additionalProperties: false,
  },
  'arrays with bounds and nested objects': {
    type: 'object',
    properties: {
      steps: {
        type: 'array',
        minItems: 4,
        maxItems: 6,
        items: {
          type: 'object',
          properties: { explanation: { type: 'string' }, output: { type: 'string', format: 'date-time' } },
          required: ['explanation', 'output'],
          additionalProperties: false,
        },
      },
      empty: { type: 'array', items: { type: 'string' }, maxItems: 0 },
      unique: { type: 'array', items: { enum: ['a', 'b', 'c'] }, uniqueItems: true, minItems: 3 },
    },
    required: ['steps', 'empty', 'unique'],
    additionalProperties: false,
  },
  'recursive definitions through $ref': {
    type: 'object',
    properties: { root: { $ref: '#/$defs/node' } },
    required: ['root'],
    $defs: {
      node: {
        type: 'object',
        properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
        required: ['name', 'children'],
      },
    },
  },
  'a top-level array': { type: 'array', items: { type: 'number', minimum: -5, maximum: -1 }, minItems: 1 },
};

describe('sampleFromSchema', () => {
  it.each(Object.entries(SCHEMAS))('conforms: %s', (_name, schema) => {
    const value = sampleFromSchema(schema, 'café topics 🚀');
    expect(conforms(schema, value), JSON.stringify(value)).toBe(true);
  });

  it('the validator used here does reject non-conforming documents', () => {
    expect(conforms(SCHEMAS['flat object with every scalar type'] ?? {}, { title: 'x' })).toBe(false);
    expect(conforms({ type: 'number', exclusiveMinimum: 0 }, 0)).toBe(false);
    expect(conforms({ type: 'integer', multipleOf: 5 }, 12)).toBe(false);
    expect(conforms({ type: 'string', format: 'date-time' }, 'yesterday')).toBe(false);
    expect(conforms({ type: 'array', items: { type: 'number' }, minItems: 2 }, [1])).toBe(false);
    expect(conforms({ enum: ['a'] }, 'b')).toBe(false);
  });

  it('honours uniqueItems, which the validator does not check', () => {
    const value = sampleFromSchema(SCHEMAS['arrays with bounds and nested objects'] ?? {}, 'topic');
    const unique = (value as { unique: string[] }).unique;
    expect(new Set(unique).size).toBe(unique.length);
    expect(unique.length).toBeGreaterThanOrEqual(3);
  });

  it('is deterministic for the same schema and topic', () => {
    const schema = SCHEMAS['arrays with bounds and nested objects'] ?? {};
    expect(sampleFromSchema(schema, 'a')).toEqual(sampleFromSchema(schema, 'a'));
  });

  it('falls back to something sensible for an empty schema', () => {
    expect(typeof sampleFromSchema({}, 'topic')).toBe('string');
  });
});
