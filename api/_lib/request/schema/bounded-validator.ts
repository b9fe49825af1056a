import { dereference, validate, type Schema, type ValidationResult } from '@cfworker/json-schema';
import type { RE2JS } from 're2js';
import { StreamError } from '../../stream-error.js';
import { guardSchema, tooComplex } from './guard-schema.js';
import { checkInPlaceFanout } from './in-place-fanout.js';
import { withLinearRegExp } from './linear-pattern.js';
import { SCHEMA_BOUNDS } from './schema-bounds.js';
import { StepBudget, StepBudgetExceeded } from './step-budget.js';

// The validator resolves references lazily; checking these values at compile time turns
// a broken or remote `$ref` into a 400 instead of a failure after the answer was paid for.
const PROBES: readonly unknown[] = [null, {}, [], '', 0, true];

/**
 * A client's JSON Schema, made safe to run on the main thread: bounded in size, depth,
 * subschemas, references and in-place fan-out (a 400 `schema_too_complex` past them),
 * every pattern on RE2 (a 400 `unsafe_pattern` for one RE2 cannot run), and every check
 * limited to SCHEMA_BOUNDS.maxSteps steps. The checking itself is @cfworker/json-schema's
 * (draft 2020-12); no remote `$ref` is ever fetched.
 */
export class BoundedValidator {
  readonly #root: Schema;
  readonly #lookup: Record<string, Schema | boolean>;
  readonly #budget: StepBudget;
  readonly #patterns: Map<string, RE2JS>;

  private constructor(root: Schema, lookup: Record<string, Schema | boolean>, budget: StepBudget, patterns: Map<string, RE2JS>) {
    this.#root = root;
    this.#lookup = lookup;
    this.#budget = budget;
    this.#patterns = patterns;
  }

  /**
   * Guards and compiles `schema`. Throws a 400 StreamError: `schema_too_complex`,
   * `unsafe_pattern`, or `bad_request` for a schema the validator cannot use.
   *
   * @example
   * const v = BoundedValidator.compile({ type: 'string', pattern: '^(a+)+$' });
   * v.validate('a'.repeat(30) + '!').valid; // false, in about a millisecond
   */
  static compile(schema: unknown): BoundedValidator {
    const budget = new StepBudget();
    const guarded = guardSchema(schema, budget);
    // The validator accepts boolean schemas too; its types only name objects.
    const root = guarded.root as Schema;
    let lookup: Record<string, Schema | boolean>;
    try {
      lookup = dereference(root);
    } catch {
      throw unusable();
    }
    checkInPlaceFanout(guarded, lookup);
    const bounded = new BoundedValidator(root, lookup, budget, guarded.patterns);
    for (const probe of PROBES) {
      try {
        bounded.validate(probe);
      } catch (err) {
        if (err instanceof StepBudgetExceeded) throw tooComplex(`checking even an empty value takes more than ${SCHEMA_BOUNDS.maxSteps} steps`);
        throw unusable();
      }
    }
    return bounded;
  }

  /** Steps the last `validate` spent (see SCHEMA_BOUNDS.maxSteps). */
  get lastSteps(): number {
    return this.#budget.used;
  }

  /**
   * Checks `instance` (a JSON value). Throws StepBudgetExceeded past
   * SCHEMA_BOUNDS.maxSteps, and whatever the validator throws on a schema it cannot use.
   */
  validate(instance: unknown): ValidationResult {
    this.#budget.reset(SCHEMA_BOUNDS.maxSteps);
    const longest = longestArray(instance);
    this.#budget.uniqueItemsCharge = Math.ceil((longest * longest) / 2048);
    const meter = (length: number): void => this.#budget.spend(1 + Math.floor(length / 64));
    return withLinearRegExp(this.#patterns, meter, () => validate(instance, this.#root, '2020-12', this.#lookup, false));
  }
}

/** Length of the longest array anywhere in a JSON value (iterative: the answer may nest deeply). */
function longestArray(value: unknown): number {
  let longest = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== 'object' || item === null) continue;
    const members = Array.isArray(item) ? item : Object.values(item);
    if (Array.isArray(item)) longest = Math.max(longest, item.length);
    for (const member of members) stack.push(member);
  }
  return longest;
}

function unusable(): StreamError {
  return new StreamError('bad_request', 'The schema is not a JSON Schema this server can use (a $ref must point inside the schema).', { status: 400 });
}
