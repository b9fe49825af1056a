import type { FaultName } from './directives.js';
import { DONE_FRAME, completionBody, contentFrame, errorFrame, finishFrame, roleFrame, usageFrame } from './openai-chunks.js';
import type { ChunkStyle } from './openai-chunks.js';
import type { OpenAIChatPlan } from './openai-chat-request.js';
import { openAIErrors, openAIHeaders, sendOpenAIError } from './openai-http.js';
import type { OpenAIErrorObject } from './openai-http.js';
import { writePaced } from './paced-writer.js';
import type { Pace } from './pace.js';
import type { RouteContext } from './route.js';
import { StreamResponse } from './stream-response.js';

/**
 * The faults of a hostile provider, acted out on OpenAI's Chat Completions stream: an
 * upstream that keeps talking after its own error, ignores `max_tokens`, holds the
 * connection after `[DONE]`, answers a stream request with HTML or a whole JSON
 * completion, reports impossible usage, frames events with bare CRs, or echoes the
 * request (its key and prompt) into its errors. The server's tests reach them through
 * the same `[[fault:NAME]]` markers as `npm start` (docs/local-upstream.md).
 */

import { HOSTILE_FAULTS } from './hostile-faults.js';

export { HOSTILE_FAULTS };

/** One of {@link HOSTILE_FAULTS}. */
export type HostileFault = (typeof HOSTILE_FAULTS)[number];

/** True for the faults this module acts out. */
export function isHostileFault(fault: FaultName | undefined): fault is HostileFault {
  return (HOSTILE_FAULTS as readonly string[]).includes(fault ?? '');
}

/** How many content deltas the `*-continue` faults and `ignore-max-tokens` send at most after their fault. */
export const RUNAWAY_DELTAS = 50_000;

/** Deltas sent before a mid-stream fault (as `error-mid` does). */
const BEFORE_FAULT = 5;

/** A chunk cut off in the middle: not JSON. */
const GARBAGE_FRAME = 'data: {"id":"chatcmpl-garbage","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel\n\n';

/** What the usage chunk says under `impossible-usage`. */
const IMPOSSIBLE_USAGE = { prompt_tokens: -7, completion_tokens: 1e15, total_tokens: 1e15 - 7 };

/** Everything decided about one answer before its first byte. */
export interface HostileReply {
  context: RouteContext;
  style: ChunkStyle;
  plan: OpenAIChatPlan;
  pace: Pace;
}

/** Acts out `fault` as the answer to a streaming request (`stream: true`). */
export async function streamHostileAnswer(reply: HostileReply, fault: HostileFault): Promise<void> {
  const { context, style, plan, pace } = reply;
  if (fault === 'echo-error') return sendOpenAIError(context.res, echoError(context), context.requestId, context.startedAt);
  const stream = new StreamResponse(context, fault);
  if (fault === 'stall-first') return stream.untilClosed();
  if (!(await stream.sleep(pace.firstTokenMs, pace.exact))) return;
  if (fault === 'html-200' || fault === 'json-200') {
    const html = fault === 'html-200';
    stream.start(200, openAIHeaders(context.requestId, context.startedAt, html ? 'text/html; charset=utf-8' : 'application/json'));
    if (await stream.write(html ? HTML_PAGE : completionBody(style, plan))) stream.end('fault');
    return;
  }
  stream.start(200, openAIHeaders(context.requestId, context.startedAt, 'text/event-stream; charset=utf-8'));
  const cr = fault === 'bare-cr';
  const framed = (text: string): string => (cr ? text.replaceAll('\n', '\r') : text);
  const write = (text: string): Promise<boolean> => stream.write(framed(text));
  if (!(await write(roleFrame(style)))) return;
  const deltas = (from: number, count: number): Promise<boolean> =>
    writePaced(stream, pace, count, (i) => framed(contentFrame(style, plan.deltas[(from + i) % Math.max(1, plan.deltas.length)] || 'more')));
  switch (fault) {
    case 'error-mid-continue':
    case 'garbage-continue':
    case 'echo-error-mid': {
      if (!(await deltas(0, BEFORE_FAULT))) return;
      const bad = fault === 'garbage-continue' ? GARBAGE_FRAME : errorFrame(fault === 'echo-error-mid' ? echoError(context).error : openAIErrors.serverError().error);
      if (!(await write(bad))) return;
      if (fault === 'echo-error-mid') {
        if (await write(DONE_FRAME)) stream.end('fault');
        return;
      }
      // A real provider that went on generating: everything after its error is billed.
      if (await deltas(BEFORE_FAULT, RUNAWAY_DELTAS)) stream.end('fault');
      return;
    }
    case 'ignore-max-tokens':
      if (await deltas(0, RUNAWAY_DELTAS)) {
        if (await write(finishFrame(style, 'stop') + DONE_FRAME)) stream.end('fault');
      }
      return;
    default: {
      if (!(await deltas(0, plan.deltas.length))) return;
      const usage = style.includeUsage ? usageFrame(style, fault === 'impossible-usage' ? { ...plan.usage, ...IMPOSSIBLE_USAGE } : plan.usage) : '';
      if (!(await write(finishFrame(style, plan.finishReason) + usage + DONE_FRAME))) return;
      if (fault === 'done-hold') return stream.untilClosed();
      stream.end('fault');
    }
  }
}

/** Acts out `fault` as the answer to a request without `stream`. */
export function answerHostileWhole(reply: HostileReply, fault: HostileFault): void {
  const { context, style, plan } = reply;
  const { res, requestId, startedAt } = context;
  if (fault === 'stall-first') return;
  if (fault === 'echo-error' || fault === 'echo-error-mid') return sendOpenAIError(res, echoError(context), requestId, startedAt);
  if (fault === 'html-200') {
    res.writeHead(200, openAIHeaders(requestId, startedAt, 'text/html; charset=utf-8'));
    res.end(HTML_PAGE);
    return;
  }
  res.writeHead(200, openAIHeaders(requestId, startedAt, 'application/json'));
  res.end(completionBody(style, plan));
}

/**
 * An error whose message echoes the request, headers (the key among them) and body
 * (the prompt), as some proxies and debugging upstreams do: what the server must never
 * pass on to its log.
 */
function echoError(context: RouteContext): { status: number; error: OpenAIErrorObject } {
  const echoed = JSON.stringify({ headers: context.req.headers, body: context.body });
  return { status: 500, error: { message: `Upstream failed for request ${echoed}`, type: 'server_error', param: null, code: 'echo' } };
}

/** What a proxy in front of a provider answers when the provider is down. */
const HTML_PAGE = `<!DOCTYPE html>
<html><head><title>502 Bad Gateway</title></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>
`;
