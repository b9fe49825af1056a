import { anthropicErrorBody, anthropicHeaders, randomBase62 } from './anthropic-http.js';
import type { AnthropicMessagesRequest, AnthropicPlan } from './anthropic-request.js';
import type { StreamScript } from './scripted-stream.js';

/**
 * The bytes of Anthropic's streamed Messages answers: named SSE events
 * (`event: NAME\ndata: JSON\n\n`, `data.type` repeating the name) in the order the real
 * API sends them: `message_start` (input tokens known at once), a `thinking` block
 * (`thinking_delta`s, then one `signature_delta`) before the `text` block, `ping`s in
 * between, one `message_delta` with the stop reason and the cumulative usage, then
 * `message_stop`.
 */

/** A `ping` goes out after every this many deltas of a block, as the real API sends them now and then. */
export const PING_EVERY_DELTAS = 50;

/** One named event. */
export function anthropicEvent(name: string, data: object): string {
  return `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
}

const PING = anthropicEvent('ping', {});

function blockDelta(index: number, delta: object, at: number): string {
  const ping = at > 0 && at % PING_EVERY_DELTAS === 0 ? PING : '';
  return ping + anthropicEvent('content_block_delta', { index, delta });
}

/** The frames of one streamed answer to `request`, following `plan`. */
export function anthropicScript(request: AnthropicMessagesRequest, plan: AnthropicPlan, requestId: string): StreamScript {
  const thinks = plan.reasoning.length > 0;
  const textIndex = thinks ? 1 : 0;
  const { usage } = plan;
  const openBlock = (index: number, block: object): string =>
    anthropicEvent('content_block_start', { index, content_block: block }) + PING;
  return {
    headers: anthropicHeaders(requestId, 'text/event-stream; charset=utf-8'),
    open: () =>
      anthropicEvent('message_start', {
        message: {
          id: `msg_01${randomBase62(22)}`,
          type: 'message',
          role: 'assistant',
          model: request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1, service_tier: 'standard' },
        },
      }) + (thinks ? openBlock(0, { type: 'thinking', thinking: '', signature: '' }) : ''),
    reasoning: (thinking, at) => blockDelta(0, { type: 'thinking_delta', thinking }, at),
    startText: () =>
      (thinks
        ? anthropicEvent('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: plan.signature } }) +
          anthropicEvent('content_block_stop', { index: 0 })
        : '') + openBlock(textIndex, { type: 'text', text: '' }),
    text: (text, at) => blockDelta(textIndex, { type: 'text_delta', text }, at),
    finish: () => {
      const stopDetails = plan.stopReason === 'refusal' ? { stop_details: { type: 'refusal', category: null, explanation: null } } : {};
      return (
        anthropicEvent('content_block_stop', { index: textIndex }) +
        anthropicEvent('message_delta', {
          delta: { stop_reason: plan.stopReason, stop_sequence: null, ...stopDetails },
          // A running total of the whole message: clients overwrite, never add.
          usage,
        }) +
        anthropicEvent('message_stop', {})
      );
    },
    errorFirst: (fault) =>
      fault === 'overloaded'
        ? errorEvent('overloaded_error', 'Overloaded', requestId)
        : errorEvent('api_error', 'Internal server error (local upstream fault "error-first")', requestId),
    errorMid: () => errorEvent('overloaded_error', 'Overloaded (local upstream fault "error-mid")', requestId),
    garbage: () => 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_del\n\n',
  };
}

function errorEvent(type: Parameters<typeof anthropicErrorBody>[0], message: string, requestId: string): string {
  return `event: error\ndata: ${anthropicErrorBody(type, message, requestId)}\n\n`;
}
