import { ignoredKeyword, schemaArrayKeyword, schemaMapKeyword } from '@cfworker/json-schema';
import type { RE2JS } from 're2js';
import { StreamError } from '../../stream-error.js';
import { PatternError, compileLinearPattern } from './linear-pattern.js';
import { SCHEMA_BOUNDS } from './schema-bounds.js';
import type { StepBudget } from './step-budget.js';

type JsonObject = Record<string, unknown>;

/** One subschema of the guarded copy. */
export interface SchemaNode {
  /** The copy the validator reads through `counted`. */
  readonly copy: JsonObject;
  /** The copy behind a proxy that spends a budget step each time the validator visits it. */
  readonly counted: JsonObject;
  /** Subschemas checked against the same answer value (not through `$ref`, which is resolved later). */
  readonly inPlace: SchemaNode[];
  /** JSON Pointer of the subschema, for messages. */
  readonly path: string;
}

/** A client schema, walked once without recursion, bounded, and copied for the validator. */
export interface GuardedSchema {
  /** What the validator gets: counted copies, `true` or `false`. */
  readonly root: JsonObject | boolean;
  readonly nodes: SchemaNode[];
  /** Every pattern of the schema, already compiled to RE2. */
  readonly patterns: Map<string, RE2JS>;
}

// Applicators that check the same answer value (cost multiplies in place).
const IN_PLACE_ONE = new Set(['not', 'if', 'then', 'else']);
const IN_PLACE_EACH = new Set(['allOf', 'anyOf', 'oneOf']);
const IN_PLACE_MAP = new Set(['dependentSchemas']);

interface Pending {
  value: unknown;
  depth: number;
  path: string;
  /** Where the value goes in the copy (data values are not copied, only measured). */
  into: { target: JsonObject | unknown[]; key: string | number } | undefined;
  /** `schema`: a subschema; `map`: an object whose values are subschemas; `data`: neither. */
  role: 'schema' | 'map' | 'data';
  /** The subschema this one is checked in place of (allOf members, `not`, …). */
  inPlaceOf: SchemaNode | undefined;
}

/**
 * Walks a client schema with an explicit stack (a 100,000-deep array cannot overflow
 * it), rejecting it past SCHEMA_BOUNDS, compiling every pattern to RE2, and copying the
 * subschemas so each visit by the validator spends a step of `budget`. Which values are
 * subschemas mirrors how @cfworker/json-schema's `dereference` reads the schema.
 *
 * Throws a 400 StreamError: `schema_too_complex` or `unsafe_pattern`.
 */
export function guardSchema(schema: unknown, budget: StepBudget): GuardedSchema {
  const nodes: SchemaNode[] = [];
  const patterns = new Map<string, RE2JS>();
  let values = 0;
  let refs = 0;
  const holder: { root?: unknown } = {};
  const stack: Pending[] = [{ value: schema, depth: 0, path: '', into: { target: holder as JsonObject, key: 'root' }, role: 'schema', inPlaceOf: undefined }];

  while (stack.length > 0) {
    const item = stack.pop() as Pending;
    values += 1;
    if (values > SCHEMA_BOUNDS.maxValues) throw tooComplex(`it has more than ${SCHEMA_BOUNDS.maxValues} values`);
    const { value, depth } = item;
    const isContainer = typeof value === 'object' && value !== null;
    if (isContainer && depth >= SCHEMA_BOUNDS.maxDepth) throw tooComplex(`it nests deeper than ${SCHEMA_BOUNDS.maxDepth} levels (at ${item.path || '/'})`);

    if (item.role === 'data' || !isContainer || (Array.isArray(value) && item.role === 'schema')) {
      if (item.into) setIn(item.into, value);
      if (item.role === 'schema' && typeof value === 'boolean') countSubschema(nodes.length + 1);
      if (isContainer) pushData(stack, value as JsonObject | unknown[], depth, item.path);
      continue;
    }

    const source = value as JsonObject;
    const copy: JsonObject = Object.create(null) as JsonObject;
    if (item.role === 'map') {
      if (item.into) setIn(item.into, copy);
      for (const key of Object.keys(source)) {
        stack.push({ value: source[key], depth: depth + 1, path: `${item.path}/${key}`, into: { target: copy, key }, role: 'schema', inPlaceOf: item.inPlaceOf });
      }
      continue;
    }

    countSubschema(nodes.length + 1);
    const node: SchemaNode = { copy, counted: countingProxy(copy, budget, source['uniqueItems'] === true), inPlace: [], path: item.path || '/' };
    nodes.push(node);
    item.inPlaceOf?.inPlace.push(node);
    if (item.into) setIn(item.into, node.counted);

    for (const key of Object.keys(source)) {
      const child = source[key];
      const path = `${item.path}/${key}`;
      const into = { target: copy, key };
      if (key === '$ref' || key === '$recursiveRef') {
        refs += 1;
        if (refs > SCHEMA_BOUNDS.maxRefs) throw tooComplex(`it has more than ${SCHEMA_BOUNDS.maxRefs} references`);
      }
      if (key === 'pattern') compilePattern(child, path, patterns);
      // Not a JSON Schema format, and cfworker's check for it backtracks (218 ms on 24
      // letters and a "!", doubling per letter): kept as an annotation, like unknown formats.
      if (key === 'format' && child === 'url') continue;
      if (ignoredKeyword[key]) {
        stack.push({ value: child, depth: depth + 1, path, into, role: 'data', inPlaceOf: undefined });
      } else if (Array.isArray(child)) {
        const each = schemaArrayKeyword[key] ? 'schema' : 'data';
        const list: unknown[] = [];
        copy[key] = list;
        values += 1;
        if (depth + 1 >= SCHEMA_BOUNDS.maxDepth) throw tooComplex(`it nests deeper than ${SCHEMA_BOUNDS.maxDepth} levels (at ${path})`);
        child.forEach((member, i) => {
          stack.push({ value: member, depth: depth + 2, path: `${path}/${i}`, into: { target: list, key: i }, role: each, inPlaceOf: each === 'schema' && IN_PLACE_EACH.has(key) ? node : undefined });
        });
      } else if (schemaMapKeyword[key]) {
        if (key === 'patternProperties' && typeof child === 'object' && child !== null) {
          for (const source of Object.keys(child)) compilePattern(source, `${path}/${source}`, patterns);
        }
        stack.push({ value: child, depth: depth + 1, path, into, role: typeof child === 'object' && child !== null ? 'map' : 'data', inPlaceOf: IN_PLACE_MAP.has(key) ? node : undefined });
      } else {
        stack.push({ value: child, depth: depth + 1, path, into, role: 'schema', inPlaceOf: IN_PLACE_ONE.has(key) ? node : undefined });
      }
    }
  }
  return { root: holder.root as JsonObject | boolean, nodes, patterns };

  function countSubschema(count: number): void {
    if (count > SCHEMA_BOUNDS.maxSubschemas) throw tooComplex(`it has more than ${SCHEMA_BOUNDS.maxSubschemas} subschemas`);
  }
}

/** Measures a data value (`const`, `enum`, `default`, …) without copying it. */
function pushData(stack: Pending[], value: JsonObject | unknown[], depth: number, path: string): void {
  const members: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [key, member] of members) {
    stack.push({ value: member, depth: depth + 1, path: `${path}/${key}`, into: undefined, role: 'data', inPlaceOf: undefined });
  }
}

function setIn(into: NonNullable<Pending['into']>, value: unknown): void {
  if (Array.isArray(into.target)) into.target[into.key as number] = value;
  else into.target[into.key as string] = value;
}

/**
 * The validator reads `$ref` first, exactly once, each time it checks a value against a
 * subschema: that read is where a visit is counted.
 */
function countingProxy(copy: JsonObject, budget: StepBudget, uniqueItems: boolean): JsonObject {
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (key === '$ref') budget.spend(uniqueItems ? 1 + budget.uniqueItemsCharge : 1);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

function compilePattern(source: unknown, path: string, patterns: Map<string, RE2JS>): void {
  if (typeof source !== 'string') throw unsafePattern(`The pattern at ${path} is not a string.`);
  if (patterns.has(source)) return;
  try {
    patterns.set(source, compileLinearPattern(source));
  } catch (err) {
    if (!(err instanceof PatternError)) throw err;
    throw unsafePattern(`The pattern at ${path} cannot be used: ${err.message}.`);
  }
}

/** A 400 for a schema past SCHEMA_BOUNDS; `why` completes "The schema is too complex: …". */
export function tooComplex(why: string): StreamError {
  return new StreamError('schema_too_complex', `The schema is too complex: ${why}.`, { status: 400 });
}

function unsafePattern(message: string): StreamError {
  return new StreamError('unsafe_pattern', message, { status: 400 });
}
