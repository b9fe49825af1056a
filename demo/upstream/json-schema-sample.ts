import { hashText, pick, seededRandom } from './seeded-random.js';

/**
 * Makes a JSON document that conforms to a JSON Schema, the way Structured Outputs
 * guarantees a real model's answer does.
 *
 * Supported: `type` (one or a list), `properties`, `required`, `items`, `prefixItems`,
 * `enum`, `const`, `minItems`/`maxItems`, `uniqueItems`, `minLength`/`maxLength`,
 * `minimum`/`maximum` (and the exclusive forms), `multipleOf`, common string
 * `format`s, `anyOf`/`oneOf` (first non-null branch), `allOf` (merged), and local
 * `$ref`s (`#`, `#/$defs/…`, `#/definitions/…`). Anything else (`pattern`,
 * `if`/`then`, `not`, …) is ignored, so the document may not match such a schema.
 *
 * The schema comes from whoever calls the local upstream, so the work is bounded: at
 * most MAX_SAMPLES subschemas are sampled, sizes are clamped, and no recursion is
 * deeper than MAX_NESTING; past the budget the document falls back to `{}`.
 */

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

type Schema = Record<string, unknown>;

interface Context {
  root: unknown;
  random: () => number;
  topic: string;
  depth: number;
  /** Subschemas sampled so far, shared by the whole document. */
  spent: { samples: number };
}

/** Beyond this nesting (recursive `$ref`s) the sampler returns the smallest value it can. */
const MAX_DEPTH = 12;
/** Hard stop for nesting through `$ref`, `anyOf` or required members: the value becomes `null`. */
const MAX_NESTING = 48;
/** Subschemas one document may sample before the sampler gives up (schema bombs, `$ref` cycles). */
const MAX_SAMPLES = 5_000;
/** Clamps for `minLength` / `minItems`, so a hostile minimum cannot build a huge document. */
const MAX_STRING_CHARS = 2_000;
const MAX_ITEMS = 200;

/** Thrown when a document needs more than MAX_SAMPLES subschemas. */
class SampleBudgetExceeded extends Error {}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numberField(schema: Schema, key: string): number | undefined {
  const value = schema[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function resolveRef(ref: string, root: unknown): unknown {
  if (!ref.startsWith('#')) return {};
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter((part) => part !== '')) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    } catch {
      return {};
    }
    node = isSchema(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return node ?? {};
}

function mergeAllOf(schema: Schema): Schema {
  const parts = Array.isArray(schema['allOf']) ? schema['allOf'].filter(isSchema) : [];
  const merged: Schema = { ...schema };
  delete merged['allOf'];
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties' && isSchema(value)) {
        merged['properties'] = { ...(isSchema(merged['properties']) ? merged['properties'] : {}), ...value };
      } else if (key === 'required' && Array.isArray(value)) {
        merged['required'] = [...(Array.isArray(merged['required']) ? merged['required'] : []), ...value];
      } else if (!(key in merged)) {
        merged[key] = value;
      }
    }
  }
  return merged;
}

function chooseType(schema: Schema): string {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const named = type.filter((t): t is string => typeof t === 'string');
    return named.find((t) => t !== 'null') ?? named[0] ?? 'string';
  }
  if (isSchema(schema['properties']) || Array.isArray(schema['required'])) return 'object';
  if (schema['items'] !== undefined || Array.isArray(schema['prefixItems'])) return 'array';
  if (numberField(schema, 'minimum') !== undefined || numberField(schema, 'maximum') !== undefined) return 'number';
  return 'string';
}

const FORMATS: Record<string, (topic: string) => string> = {
  'date-time': () => '2025-01-15T09:30:00Z',
  date: () => '2025-01-15',
  time: () => '09:30:00Z',
  email: () => 'someone@example.com',
  uri: (topic) => `https://example.com/${encodeURIComponent(topic.slice(0, 24).toLowerCase())}`,
  url: (topic) => `https://example.com/${encodeURIComponent(topic.slice(0, 24).toLowerCase())}`,
  uuid: (topic) => hashText(topic).slice(0, 32).replace(/^(.{8})(.{4})(.{3})(.{3})(.{12})$/, '$1-$2-4$3-8$4-$5'),
  hostname: () => 'example.com',
  ipv4: () => '192.0.2.1',
  ipv6: () => '2001:db8::1',
};

function sampleString(schema: Schema, name: string, context: Context): string {
  const formatName = schema['format'];
  const format = typeof formatName === 'string' && Object.hasOwn(FORMATS, formatName) ? FORMATS[formatName] : undefined;
  let text = format ? format(context.topic) : `${name === '' ? 'value' : name} for ${context.topic}`;
  const min = Math.min(numberField(schema, 'minLength') ?? 0, MAX_STRING_CHARS);
  const max = numberField(schema, 'maxLength');
  while (Array.from(text).length < min) text += ' naïve café 東京';
  const chars = Array.from(text);
  return max !== undefined && chars.length > max ? chars.slice(0, Math.max(0, max)).join('') : text;
}

function sampleNumber(schema: Schema, integer: boolean, context: Context): number {
  const exclusiveMin = schema['exclusiveMinimum'];
  const exclusiveMax = schema['exclusiveMaximum'];
  // Draft 4 spells exclusivity as a boolean beside minimum/maximum; later drafts as a number.
  const lowOpen = numberField(schema, 'exclusiveMinimum') ?? (exclusiveMin === true ? numberField(schema, 'minimum') : undefined);
  const highOpen = numberField(schema, 'exclusiveMaximum') ?? (exclusiveMax === true ? numberField(schema, 'maximum') : undefined);
  const step = integer ? 1 : 0.01;
  let low = lowOpen !== undefined ? lowOpen + step : numberField(schema, 'minimum');
  let high = highOpen !== undefined ? highOpen - step : numberField(schema, 'maximum');
  low ??= high !== undefined ? Math.min(0, high) : 0;
  high ??= low + 100;
  if (high < low) high = low;
  const multipleOf = numberField(schema, 'multipleOf');
  if (multipleOf !== undefined && multipleOf > 0) {
    const first = Math.ceil(low / multipleOf);
    const last = Math.floor(high / multipleOf);
    const k = last >= first ? first + Math.floor(context.random() * (last - first + 1)) : first;
    return Number((k * multipleOf).toPrecision(12));
  }
  const value = low + (high - low) * context.random();
  if (integer) return Math.min(Math.max(Math.round(value), Math.ceil(low)), Math.floor(high));
  const rounded = Math.round(value * 100) / 100;
  return rounded >= low && rounded <= high ? rounded : value;
}

function sampleArray(schema: Schema, name: string, context: Context): Json[] {
  const prefix = Array.isArray(schema['prefixItems']) ? schema['prefixItems'] : Array.isArray(schema['items']) ? schema['items'] : [];
  const rest = Array.isArray(schema['items']) ? schema['additionalItems'] : schema['items'];
  const min = Math.min(numberField(schema, 'minItems') ?? 0, MAX_ITEMS);
  const max = numberField(schema, 'maxItems') ?? Number.POSITIVE_INFINITY;
  const restAllowed = rest !== false && context.depth < MAX_DEPTH;
  const wanted = Math.max(min, Math.min(restAllowed ? Math.max(prefix.length, 2) : prefix.length, max));
  const items: Json[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; items.length < wanted && attempt < wanted * 5 + 5; attempt += 1) {
    const itemSchema = items.length < prefix.length ? prefix[items.length] : rest;
    const value = sample(itemSchema ?? {}, `${name}${items.length + 1}`, context);
    const key = JSON.stringify(value);
    if (schema['uniqueItems'] === true && seen.has(key)) continue;
    seen.add(key);
    items.push(value);
  }
  return items;
}

function sampleObject(schema: Schema, context: Context): { [key: string]: Json } {
  const properties: Schema = isSchema(schema['properties']) ? schema['properties'] : {};
  const required = Array.isArray(schema['required']) ? schema['required'].filter((k): k is string => typeof k === 'string') : [];
  const result: { [key: string]: Json } = {};
  // Deep inside recursive schemas only what is required, so recursion can bottom out.
  const keys = context.depth >= MAX_DEPTH ? required : [...new Set([...Object.keys(properties), ...required])];
  for (const key of keys) {
    const value = sample(Object.hasOwn(properties, key) ? properties[key] : {}, key, context);
    // A key named "__proto__" stays an own property instead of replacing the prototype.
    Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

function sample(schemaLike: unknown, name: string, outer: Context): Json {
  if (!isSchema(schemaLike)) return schemaLike === false ? null : sampleString({}, name, outer);
  outer.spent.samples += 1;
  if (outer.spent.samples > MAX_SAMPLES) throw new SampleBudgetExceeded();
  if (outer.depth >= MAX_NESTING) return null;
  const context = { ...outer, depth: outer.depth + 1 };
  let schema = schemaLike;
  if (typeof schema['$ref'] === 'string') {
    const target = resolveRef(schema['$ref'], context.root);
    const { $ref: _ref, ...siblings } = schema;
    schema = { ...siblings, ...(isSchema(target) ? target : {}) };
  }
  if (Array.isArray(schema['allOf'])) schema = mergeAllOf(schema);
  // Schemas come from JSON.parse, so `const` and `enum` members are JSON values.
  if ('const' in schema) return (schema['const'] ?? null) as Json;
  const choices = schema['enum'];
  if (Array.isArray(choices) && choices.length > 0) return pick(context.random, choices as [Json, ...Json[]]);
  const branches = Array.isArray(schema['anyOf']) ? schema['anyOf'] : Array.isArray(schema['oneOf']) ? schema['oneOf'] : undefined;
  if (branches !== undefined && branches.length > 0) {
    const branch = branches.find((b) => !(isSchema(b) && b['type'] === 'null')) ?? branches[0];
    return sample(branch, name, context);
  }
  switch (chooseType(schema)) {
    case 'object':
      return sampleObject(schema, context);
    case 'array':
      return sampleArray(schema, name, context);
    case 'integer':
      return sampleNumber(schema, true, context);
    case 'number':
      return sampleNumber(schema, false, context);
    case 'boolean':
      return context.random() < 0.5;
    case 'null':
      return null;
    default:
      return sampleString(schema, name, context);
  }
}

/**
 * A document conforming to `schema`, deterministic from `schema` and `topic`.
 *
 * @example
 * sampleFromSchema({ type: 'object', properties: { n: { type: 'integer', minimum: 1, maximum: 3 } }, required: ['n'] }, 'dice');
 * // { n: 2 }
 */
export function sampleFromSchema(schema: unknown, topic: string): Json {
  let seed: string;
  try {
    seed = `${topic}\u0000${JSON.stringify(schema) ?? ''}`;
  } catch {
    // Nested too deep to serialise (a RangeError): any seed will do for such a schema.
    seed = topic;
  }
  try {
    return sample(schema, '', { root: schema, random: seededRandom(seed), topic, depth: 0, spent: { samples: 0 } });
  } catch (err) {
    if (err instanceof SampleBudgetExceeded || err instanceof RangeError) return {};
    throw err;
  }
}
