import { Validator, type Schema } from '@cfworker/json-schema';
import { createPartialJsonParser } from '../../widget/shared/partial-json/index.js';
import { StreamError } from './stream-error.js';

/** Watches a JSON-mode answer as it streams and judges it at the end. */
export interface JsonOutputCheck {
  push(text: string): void;
  /** The problem with the finished answer, or undefined when it parses (and fits the schema). */
  finish(cutOff: boolean): StreamError | undefined;
}

/**
 * Compiles a request's JSON Schema once, before any upstream call, so a schema the
 * validator cannot use is a 400 rather than a failed answer. No remote `$ref` is ever
 * fetched: the validator only resolves references inside the schema.
 */
export function compileSchema(schema: Record<string, unknown>): Validator {
  try {
    const validator = new Validator(schema as Schema, '2020-12', false);
    // The validator resolves references lazily; probing now turns a broken or remote
    // `$ref` into a 400 instead of a failure after the answer was paid for.
    for (const probe of [null, {}, [], '', 0, true]) validator.validate(probe);
    return validator;
  } catch {
    throw new StreamError('bad_request', 'The schema is not a JSON Schema this server can use (a $ref must point inside the schema).', { status: 400 });
  }
}

/**
 * Feeds the answer to the same incremental parser the widget uses (linear in the
 * answer, so checking costs nothing noticeable per token), then validates the final
 * value against the schema, reporting the deepest failing location as a JSON Pointer.
 */
export function createJsonOutputCheck(validator: Validator | undefined): JsonOutputCheck {
  const parser = createPartialJsonParser();
  return {
    push(text) {
      parser.feed(text);
    },
    finish(cutOff) {
      const result = parser.end();
      if (result.error || !result.complete) {
        const message = cutOff
          ? 'The answer was cut off (maxTokens) before its JSON was complete.'
          : 'The model did not answer with valid JSON.';
        return new StreamError('invalid_output', message, { status: 502, retryable: true, detail: result.error ? `${result.error.message} at ${result.error.position}` : 'incomplete JSON' });
      }
      if (!validator) return undefined;
      let outcome: ReturnType<Validator['validate']>;
      try {
        outcome = validator.validate(result.value);
      } catch (err) {
        return new StreamError('invalid_output', 'The answer could not be checked against the schema.', { status: 502, detail: String(err) });
      }
      const { valid, errors } = outcome;
      if (valid) return undefined;
      const deepest = errors.reduce((a, b) => (b.instanceLocation.length > a.instanceLocation.length ? b : a));
      const path = deepest.instanceLocation.replace(/^#/, '') || '/';
      return new StreamError('schema_mismatch', `The answer does not match the schema at ${path}: ${deepest.error}`, { status: 502, retryable: true, path });
    },
  };
}
