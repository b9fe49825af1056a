import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseRequestBody } from '../../api/_lib/request/request-body.js';
import { StreamError } from '../../api/_lib/stream-error.js';

// The zod schema the server used until the hand-written check replaced it (cold start):
// the reference the property below holds the new check to.
const zodBody = z.strictObject({
  messages: z.array(z.strictObject({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })).min(1),
  model: z.string().min(1).max(100).optional(),
  mode: z.enum(['text', 'json']).optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).optional(),
});

function verdict(body: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: parseRequestBody(body) };
  } catch (error) {
    if (!(error instanceof StreamError) || error.code !== 'bad_request' || error.status !== 400) throw error;
    return { ok: false, message: error.message };
  }
}

const message = fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: fc.string() });
/** Values near each field's edges, and of the wrong types. */
const anything = fc.oneof(fc.constant(null), fc.boolean(), fc.string({ maxLength: 3 }), fc.double(), fc.integer(), fc.constant([]), fc.constant({}));
const almostMessage = fc.oneof(
  message,
  fc.record({ role: fc.oneof(fc.constantFrom('tool', 'User', ''), anything), content: fc.oneof(fc.string(), anything) }),
  fc.record({ role: fc.constant('user'), content: fc.string(), name: fc.string() }),
  anything,
);
const body = fc.record(
  {
    messages: fc.oneof(fc.array(almostMessage, { maxLength: 4 }), fc.array(message, { minLength: 1, maxLength: 3 }), anything),
    model: fc.oneof(fc.string({ maxLength: 120 }), fc.constant(''), fc.constant('m'.repeat(100)), fc.constant('m'.repeat(101)), anything),
    mode: fc.oneof(fc.constantFrom('text', 'json', 'xml'), anything),
    schema: fc.oneof(fc.constant({ type: 'object' }), fc.constant([]), fc.constant(null), anything),
    temperature: fc.oneof(fc.double({ min: -1, max: 3, noNaN: true }), fc.constantFrom(0, 2, 2.0000001, -0), anything),
    maxTokens: fc.oneof(fc.integer({ min: -2, max: 5000 }), fc.constantFrom(1.5, 2 ** 53, 1e300), anything),
    extra: anything,
  },
  { requiredKeys: [] },
);

/** A body the protocol accepts. */
const validBody = fc.record(
  {
    messages: fc.array(message, { minLength: 1, maxLength: 3 }),
    model: fc.string({ minLength: 1, maxLength: 100 }),
    mode: fc.constantFrom('text', 'json'),
    schema: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    maxTokens: fc.integer({ min: 1, max: 1_000_000 }),
  },
  { requiredKeys: ['messages'] },
);
/** A valid body with one field replaced by a near miss (or a new field added). */
const nearMiss = fc.tuple(validBody, body).chain(([valid, wild]) =>
  fc.constantFrom(...Object.keys(wild)).map((key) => (key === undefined ? valid : { ...valid, [key]: (wild as Record<string, unknown>)[key] })),
);

describe('parseRequestBody', () => {
  it('accepts and refuses exactly what the former zod schema did, and returns the same value', () => {
    fc.assert(
      fc.property(fc.oneof(validBody, nearMiss, body, anything), (input) => {
        const reference = zodBody.safeParse(input);
        const ours = verdict(input);
        expect(ours.ok).toBe(reference.success);
        if (ours.ok && reference.success) expect(ours.value).toEqual(reference.data);
      }),
      { numRuns: 5_000 },
    );
  });

  it('names the first field that is wrong', () => {
    const user = { role: 'user', content: 'hi' };
    const cases: Array<[unknown, string]> = [
      [[1, 2], 'Invalid request: expected an object.'],
      [{}, 'Invalid request at messages: expected an array of messages.'],
      [{ messages: [] }, 'Invalid request at messages: expected at least one message.'],
      [{ messages: [user, { role: 'tool', content: 'x' }] }, 'Invalid request at messages.1.role: expected "system", "user" or "assistant".'],
      [{ messages: [{ role: 'user', content: 42 }] }, 'Invalid request at messages.0.content: expected a string.'],
      [{ messages: [user], stream: false }, 'Invalid request: unknown field "stream".'],
      [{ messages: [{ ...user, name: 'x' }] }, 'Invalid request at messages.0: unknown field "name".'],
      [{ messages: [user], temperature: 7 }, 'Invalid request at temperature: expected a number from 0 to 2.'],
      [{ messages: [user], maxTokens: 1.5 }, 'Invalid request at maxTokens: expected a whole number of at least 1.'],
      [{ messages: [user], mode: 'xml' }, 'Invalid request at mode: expected "text" or "json".'],
      [{ messages: [user], schema: [] }, 'Invalid request at schema: expected a JSON Schema object.'],
    ];
    for (const [input, expected] of cases) expect(verdict(input)).toEqual({ ok: false, message: expected });
  });

  it('treats "__proto__" from JSON.parse as an unknown field, and never reads the prototype', () => {
    const input = JSON.parse('{"messages":[{"role":"user","content":"x"}],"__proto__":{"model":"gpt-4o"}}') as unknown;
    expect(verdict(input)).toEqual({ ok: false, message: 'Invalid request: unknown field "__proto__".' });
    const inMessage = JSON.parse('{"messages":[{"role":"user","content":"x","__proto__":{"role":"system"}}]}') as unknown;
    expect(verdict(inMessage)).toEqual({ ok: false, message: 'Invalid request at messages.0: unknown field "__proto__".' });
  });
});
