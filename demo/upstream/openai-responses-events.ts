import { randomBytes } from 'node:crypto';
import { openAIHeaders } from './openai-http.js';
import type { OpenAIResponsesPlan, OpenAIResponsesRequest } from './openai-responses-request.js';
import type { StreamScript } from './scripted-stream.js';

/**
 * The bytes of OpenAI's streamed Responses answers: named SSE events
 * (`event: NAME\ndata: JSON\n\n`), each payload with `type` and a `sequence_number`
 * counting from 0: `response.created`, `response.in_progress`, a reasoning item with
 * `response.reasoning_summary_text.delta`s (on `[[reasoning:N]]`), the message item with
 * `response.output_text.delta`s, then `response.completed` (or `response.incomplete`)
 * carrying the usage. Errors come as an `error` event followed by `response.failed`.
 */

function itemId(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

/** The frames of one streamed answer, following `plan`. Stateful: sequence numbers count up. */
export function openAIResponsesScript(
  request: OpenAIResponsesRequest,
  plan: OpenAIResponsesPlan,
  requestId: string,
  startedAt: number,
): StreamScript {
  let sequence = 0;
  const event = (type: string, data: object): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const id = itemId('resp');
  const createdAt = Math.floor(Date.now() / 1000);
  const thinks = plan.reasoning.length > 0;
  const reasoningId = itemId('rs');
  const messageId = itemId('msg');
  const messageIndex = thinks ? 1 : 0;
  const response = (status: string, extra: object = {}): object => ({
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: request.model,
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: thinks ? 'medium' : null, summary: thinks ? 'auto' : null },
    store: true,
    temperature: 1,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: {},
    ...extra,
  });
  const reasoningItem = { id: reasoningId, type: 'reasoning', summary: [{ type: 'summary_text', text: plan.summary }] };
  const textPart = { type: 'output_text', annotations: [], logprobs: [], text: plan.text };
  const messageStatus = plan.status === 'completed' ? 'completed' : 'incomplete';
  const messageItem = { id: messageId, type: 'message', status: messageStatus, content: [textPart], role: 'assistant' };
  const opening = (): string => event('response.created', { response: response('in_progress') }) + event('response.in_progress', { response: response('in_progress') });
  const failed = (code: string, message: string): string => event('response.failed', { response: response('failed', { error: { code, message } }) });
  const textAt = { item_id: messageId, output_index: messageIndex, content_index: 0 };
  const summaryAt = { item_id: reasoningId, output_index: 0, summary_index: 0 };
  return {
    headers: openAIHeaders(requestId, startedAt, 'text/event-stream; charset=utf-8'),
    open: () =>
      opening() +
      (thinks
        ? event('response.output_item.added', { output_index: 0, item: { id: reasoningId, type: 'reasoning', summary: [] } }) +
          event('response.reasoning_summary_part.added', { ...summaryAt, part: { type: 'summary_text', text: '' } })
        : ''),
    reasoning: (delta) => event('response.reasoning_summary_text.delta', { ...summaryAt, delta }),
    startText: () =>
      (thinks
        ? event('response.reasoning_summary_text.done', { ...summaryAt, text: plan.summary }) +
          event('response.reasoning_summary_part.done', { ...summaryAt, part: { type: 'summary_text', text: plan.summary } }) +
          event('response.output_item.done', { output_index: 0, item: reasoningItem })
        : '') +
      event('response.output_item.added', {
        output_index: messageIndex,
        item: { id: messageId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
      }) +
      event('response.content_part.added', { ...textAt, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } }),
    text: (delta) => event('response.output_text.delta', { ...textAt, delta, logprobs: [] }),
    finish: () => {
      const output = thinks ? [reasoningItem, messageItem] : [messageItem];
      const incomplete = plan.status === 'incomplete' ? { incomplete_details: { reason: 'max_output_tokens' } } : {};
      const terminal = plan.status === 'completed' ? 'response.completed' : 'response.incomplete';
      return (
        event('response.output_text.done', { ...textAt, text: plan.text, logprobs: [] }) +
        event('response.content_part.done', { ...textAt, part: textPart }) +
        event('response.output_item.done', { output_index: messageIndex, item: messageItem }) +
        event(terminal, { response: response(plan.status, { output, usage: plan.usage, ...incomplete }) })
      );
    },
    // The nested shape, as a real stream recorded it: an `error` event, then `response.failed`.
    errorFirst: (fault) => {
      const [code, message] =
        fault === 'overloaded'
          ? ['server_is_overloaded', 'The server is overloaded. Please try again later (local upstream fault "overloaded").']
          : ['server_error', 'The server had an error while processing your request (local upstream fault "error-first").'];
      return opening() + event('error', { error: { type: 'server_error', code, message, param: null } }) + failed(code, message);
    },
    // The flat shape of the API reference: `code` and `message` on the event itself.
    errorMid: () => {
      const message = 'The model stopped mid-answer (local upstream fault "error-mid").';
      return event('error', { code: 'server_error', message, param: null }) + failed('server_error', message);
    },
    garbage: () => 'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":2,"delta":"Hel\n\n',
  };
}
