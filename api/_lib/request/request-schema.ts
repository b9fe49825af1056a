import type { StreamConfig, ModelConfig } from '../config/config.js';
import type { ChatMessage } from '../../../widget/shared/protocol.js';
import { compileSchema } from '../answer/json-output-check.js';
import type { BoundedValidator } from './schema/bounded-validator.js';
import { StreamError } from '../stream-error.js';
import { parseRequestBody } from './request-body.js';

/** A request the server has validated, bounded and resolved to a model. */
export interface NormalizedRequest {
  messages: ChatMessage[];
  model: ModelConfig;
  mode: 'text' | 'json';
  schema: Record<string, unknown> | undefined;
  /** The schema, compiled once; checks the final answer in JSON mode. */
  validator: BoundedValidator | undefined;
  temperature: number | undefined;
  maxTokens: number;
}

/**
 * Compiles the request's JSON Schema into `request.validator` (a request without one is
 * left as it is). Throws a 4xx StreamError for a schema the server will not run or that
 * is over the size bound. Apart from `normalizeRequest` because the schema engine is
 * loaded on first use (see compileSchema).
 */
export async function compileRequestSchema(request: NormalizedRequest, config: StreamConfig): Promise<void> {
  if (request.schema === undefined) return;
  // The guard bounds nesting first (without recursion): JSON.stringify overflows the
  // stack on a 100,000-deep array, a 500 before.
  request.validator = await compileSchema(request.schema);
  if (JSON.stringify(request.schema).length > config.limits.maxSchemaBytes) {
    throw new StreamError('payload_too_large', `The schema is larger than ${config.limits.maxSchemaBytes} bytes.`, { status: 413 });
  }
}

/**
 * Validates a parsed JSON body against the protocol and the server's bounds.
 * Throws a 4xx StreamError whose message says what to fix.
 */
export function normalizeRequest(body: unknown, config: StreamConfig): NormalizedRequest {
  const req = parseRequestBody(body);
  const { limits } = config;

  if (req.messages.length > limits.maxMessages) {
    throw new StreamError('bad_request', `Too many messages: ${req.messages.length} (at most ${limits.maxMessages}).`, { status: 400 });
  }
  let total = 0;
  for (const [i, m] of req.messages.entries()) {
    if (m.content.length > limits.maxMessageChars) {
      throw new StreamError('payload_too_large', `Message ${i} is ${m.content.length} characters long (at most ${limits.maxMessageChars}).`, { status: 413 });
    }
    total += m.content.length;
  }
  if (total > limits.maxTotalChars) {
    throw new StreamError('payload_too_large', `The conversation is ${total} characters long (at most ${limits.maxTotalChars}).`, { status: 413 });
  }
  const last = req.messages[req.messages.length - 1];
  if (last?.role !== 'user') {
    throw new StreamError('bad_request', 'The last message must be from the user.', { status: 400 });
  }

  const alias = req.model ?? config.defaultModel;
  // Own keys only: "__proto__", "constructor" or "toString" must not reach Object.prototype.
  const model = Object.hasOwn(config.models, alias) ? config.models[alias] : undefined;
  if (!model) {
    if (!config.defaultModel) throw new StreamError('no_provider', 'No model provider is configured on the server.', { status: 503 });
    throw new StreamError('unknown_model', `Unknown model "${alias}". Available: ${Object.keys(config.models).join(', ')}.`, { status: 400 });
  }

  if (req.schema !== undefined && req.mode !== 'json') throw new StreamError('bad_request', 'A schema needs "mode": "json".', { status: 400 });
  if (req.maxTokens !== undefined && req.maxTokens > model.maxOutputTokens) {
    throw new StreamError('bad_request', `maxTokens is ${req.maxTokens}; "${model.alias}" allows at most ${model.maxOutputTokens}.`, { status: 400 });
  }

  return {
    messages: req.messages,
    model,
    mode: req.mode ?? 'text',
    schema: req.schema,
    validator: undefined,
    temperature: req.temperature,
    maxTokens: req.maxTokens ?? Math.min(config.defaultMaxTokens, model.maxOutputTokens),
  };
}
