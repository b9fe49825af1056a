/**
 * Fixed bounds on a client's JSON Schema, past which the request is a 400
 * `schema_too_complex` (see docs/configuration.md and docs/server-design.md for the
 * figures behind them). The byte size is the operator's `AI_STREAM_MAX_SCHEMA_BYTES`.
 */
export const SCHEMA_BOUNDS = {
  /** Nesting of JSON objects and arrays anywhere in the schema (a 15-level deep answer needs about 32). */
  maxDepth: 32,
  /** JSON values in the schema, counted before anything else reads it. */
  maxValues: 5_000,
  /** Subschemas (objects in schema positions; `true`/`false` cost nothing). */
  maxSubschemas: 1_000,
  /** `$ref`s and `$recursiveRef`s. */
  maxRefs: 200,
  /**
   * Most subschemas one answer value can be checked against in place (following `$ref`,
   * `allOf`/`anyOf`/`oneOf`, `not`, `if`/`then`/`else`, dependent schemas), before the
   * validator moves into the value's members. The 1 KB `$defs` bomb (anyOf of width 2,
   * depth 14) needs 65,534.
   */
  maxInPlace: 256,
  /**
   * Subschema visits, plus one per 64 characters a pattern reads, plus n²/2048 for each
   * `uniqueItems` visit (n: the answer's longest array), allowed for one check of one
   * answer: about 70–130 ms at the 7–13 µs a step measured on the shared two-core
   * machine. Recursion through `properties`/`items` can multiply the visits with the
   * answer's depth, which no static bound on the schema catches.
   */
  maxSteps: 10_000,
} as const;
