import type { BoundedValidator } from '../request/schema/bounded-validator.js';
import { StepBudgetExceeded } from '../request/schema/step-budget.js';
import { createPartialJsonParser } from '../../../widget/shared/partial-json/index.js';
import { StreamError } from '../stream-error.js';

/** Watches a JSON-mode answer as it streams and judges it at the end. */
export interface JsonOutputCheck {
  push(text: string): void;
  /** The problem with the finished answer, or undefined when it parses (and fits the schema). */
  finish(cutOff: boolean): StreamError | undefined;
}

/**
 * Compiles a request's JSON Schema once, before any upstream call, so a schema the
 * server will not run (too complex, a pattern RE2 cannot run, a `$ref` outside the
 * schema) is a 400 rather than a failed answer. See BoundedValidator. The schema engine
 * (@cfworker/json-schema, re2js: about 70 ms of CPU to import) loads with the first
 * request that carries a schema, not with the function: most cold starts serve text.
 */
export async function compileSchema(schema: Record<string, unknown>): Promise<BoundedValidator> {
  const { BoundedValidator } = await import('../request/schema/bounded-validator.js');
  return BoundedValidator.compile(schema);
}

/**
 * Feeds the answer to the same incremental parser the widget uses (linear in the
 * answer, so checking costs nothing noticeable per token), then validates the final
 * value against the schema (in a bounded number of steps), reporting the deepest failing location as a JSON Pointer.
 */
export function createJsonOutputCheck(validator: BoundedValidator | undefined): JsonOutputCheck {
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
      let outcome: ReturnType<BoundedValidator['validate']>;
      try {
        outcome = validator.validate(result.value);
      } catch (err) {
        if (err instanceof StepBudgetExceeded) {
          return new StreamError('schema_too_complex', 'The answer is too large to check against this schema within the server\'s bounds.', { status: 502, detail: err.message });
        }
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
