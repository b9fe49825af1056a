import type { ChatMessage, StreamRequest } from '../../../widget/shared/protocol.js';
import { StreamError } from '../stream-error.js';

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant']);
const MODES: ReadonlySet<string> = new Set(['text', 'json']);
const BODY_KEYS: ReadonlySet<string> = new Set(['messages', 'model', 'mode', 'schema', 'temperature', 'maxTokens']);
const MESSAGE_KEYS: ReadonlySet<string> = new Set(['role', 'content']);
const MAX_MODEL_CHARS = 100;

/**
 * Checks a parsed JSON body against the protocol's request shape (`StreamRequest`): exactly the known
 * fields, each of its type and range; a 400 `bad_request` naming the first field that
 * is wrong otherwise. Hand-written rather than a schema library: zod was the largest
 * part of the function's cold start (164 ms of import CPU for this one object) and of
 * a request's own validation time (docs/server-design.md).
 */
export function parseRequestBody(body: unknown): StreamRequest {
  if (!isPlainObject(body)) throw invalid('', 'expected an object');
  rejectUnknownKeys(body, BODY_KEYS, '');
  const { messages, model, mode, schema, temperature, maxTokens } = body;
  if (!Array.isArray(messages)) throw invalid('messages', 'expected an array of messages');
  if (messages.length === 0) throw invalid('messages', 'expected at least one message');
  const checked: ChatMessage[] = new Array<ChatMessage>(messages.length);
  for (let i = 0; i < messages.length; i++) checked[i] = parseMessage(messages[i], `messages.${i}`);

  const out: StreamRequest = { messages: checked };
  if (model !== undefined) {
    if (typeof model !== 'string' || model.length === 0 || model.length > MAX_MODEL_CHARS) throw invalid('model', `expected a string of 1 to ${MAX_MODEL_CHARS} characters`);
    out.model = model;
  }
  if (mode !== undefined) {
    if (typeof mode !== 'string' || !MODES.has(mode)) throw invalid('mode', 'expected "text" or "json"');
    out.mode = mode as 'text' | 'json';
  }
  if (schema !== undefined) {
    if (!isPlainObject(schema)) throw invalid('schema', 'expected a JSON Schema object');
    out.schema = schema;
  }
  if (temperature !== undefined) {
    if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2)) throw invalid('temperature', 'expected a number from 0 to 2');
    out.temperature = temperature;
  }
  if (maxTokens !== undefined) {
    if (typeof maxTokens !== 'number' || !Number.isSafeInteger(maxTokens) || maxTokens < 1) throw invalid('maxTokens', 'expected a whole number of at least 1');
    out.maxTokens = maxTokens;
  }
  return out;
}

function parseMessage(message: unknown, path: string): ChatMessage {
  if (!isPlainObject(message)) throw invalid(path, 'expected a message object');
  rejectUnknownKeys(message, MESSAGE_KEYS, path);
  const { role, content } = message;
  if (typeof role !== 'string' || !ROLES.has(role)) throw invalid(`${path}.role`, 'expected "system", "user" or "assistant"');
  if (typeof content !== 'string') throw invalid(`${path}.content`, 'expected a string');
  // A fresh object: nothing but the two fields travels on.
  return { role: role as ChatMessage['role'], content };
}

/** A JSON object (what JSON.parse makes of `{…}`): not null, not an array. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknownKeys(object: Record<string, unknown>, known: ReadonlySet<string>, path: string): void {
  // Own keys only, as JSON.parse makes them ("__proto__" included, which is unknown).
  for (const key of Object.keys(object)) {
    if (!known.has(key)) throw invalid(path, `unknown field "${key.slice(0, 40)}"`);
  }
}

function invalid(path: string, problem: string): StreamError {
  return new StreamError('bad_request', `Invalid request${path ? ` at ${path}` : ''}: ${problem}.`, { status: 400 });
}
