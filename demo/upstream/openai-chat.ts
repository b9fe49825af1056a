import type { ServerResponse } from 'node:http';
import { readDirectives } from './directives.js';
import type { FaultName } from './directives.js';
import { tokenIntervalMs } from './pace.js';
import { writePaced } from './paced-writer.js';
import type { Pace } from './pace.js';
import { lastUserText, parseOpenAIChatRequest, planOpenAIChatAnswer } from './openai-chat-request.js';
import type { OpenAIChatPlan } from './openai-chat-request.js';
import {
  DONE_FRAME,
  completionBody,
  contentFrame,
  errorFrame,
  finishFrame,
  newChunkStyle,
  reasoningDeltas,
  reasoningFrame,
  roleFrame,
  usageFrame,
} from './openai-chunks.js';
import type { ChunkStyle } from './openai-chunks.js';
import { hasBearerToken, openAIErrors, openAIHeaders, sendOpenAIError } from './openai-http.js';
import { answerHostileWhole, isHostileFault, streamHostileAnswer } from './openai-hostile.js';
import type { RouteContext, UpstreamRoute } from './route.js';
import { FAULT_AFTER_DELTAS } from './scripted-stream.js';
import { hashText } from './seeded-random.js';
import { StreamResponse } from './stream-response.js';

/**
 * `POST /v1/chat/completions`, OpenAI's Chat Completions API: streamed (SSE chunks
 * and `[DONE]`) or whole, with the faults the prompt's markers ask for.
 */

/** What a "not JSON" data line looks like: a chunk cut off in the middle. */
const GARBAGE_FRAME =
  'data: {"id":"chatcmpl-garbage","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel\n\n';

/** Everything decided about one answer before its first byte. */
interface Reply {
  context: RouteContext;
  style: ChunkStyle;
  plan: OpenAIChatPlan;
  fault: FaultName | undefined;
  pace: Pace;
}

function writeDeltas(stream: StreamResponse, { style, plan, pace }: Reply, count: number): Promise<boolean> {
  return writePaced(stream, pace, count, (i) => contentFrame(style, plan.deltas[i] ?? ''));
}

function writeReasoning(stream: StreamResponse, { style, plan, pace }: Reply): Promise<boolean> {
  const deltas = reasoningDeltas(plan);
  return writePaced(stream, pace, deltas.length, (i) => reasoningFrame(style, plan.reasoningField, deltas[i] ?? ''));
}

async function streamAnswer(reply: Reply): Promise<void> {
  const { context, style, plan, fault, pace } = reply;
  if (isHostileFault(fault)) return streamHostileAnswer(reply, fault);
  const stream = new StreamResponse(context, fault);
  if (!(await stream.sleep(pace.firstTokenMs, pace.exact))) return;
  stream.start(200, openAIHeaders(context.requestId, context.startedAt, 'text/event-stream; charset=utf-8'));
  if (fault === 'garbage' || fault === 'error-first' || fault === 'overloaded') {
    const frame = fault === 'garbage' ? GARBAGE_FRAME : errorFrame(openAIErrors.serverError().error) + DONE_FRAME;
    if (await stream.write(frame)) stream.end('fault');
    return;
  }
  const faultsMidway = fault === 'error-mid' || fault === 'drop' || fault === 'stall';
  const count = faultsMidway ? Math.min(FAULT_AFTER_DELTAS, plan.deltas.length) : plan.deltas.length;
  if (!(await stream.write(roleFrame(style)))) return;
  if (!(await writeReasoning(stream, reply))) return;
  if (!(await writeDeltas(stream, reply, count))) return;
  switch (fault) {
    case 'error-mid': {
      const message = 'The model stopped mid-answer (local upstream fault "error-mid").';
      if (await stream.write(errorFrame({ ...openAIErrors.serverError().error, message }) + DONE_FRAME)) stream.end('fault');
      return;
    }
    case 'drop':
      // Let the partial answer reach the client first; a real drop loses only what follows.
      await stream.flushed();
      stream.destroy();
      return;
    case 'stall':
      await stream.untilClosed();
      return;
    default: {
      const usage = style.includeUsage ? usageFrame(style, plan.usage) : '';
      if (await stream.write(finishFrame(style, plan.finishReason) + usage + DONE_FRAME)) stream.end('completed');
    }
  }
}

function waitUnlessClosed(res: ServerResponse, ms: number): Promise<void> {
  if (ms <= 0 || res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.on('close', done);
  });
}

async function answerWhole({ context, style, plan, fault, pace }: Reply): Promise<void> {
  const { res } = context;
  // A non-streamed answer arrives only once it is all generated, as with the real API.
  await waitUnlessClosed(res, pace.firstTokenMs + plan.deltas.length * tokenIntervalMs(pace));
  if (res.destroyed) return;
  if (isHostileFault(fault)) return answerHostileWhole({ context, style, plan, pace }, fault);
  switch (fault) {
    case 'drop':
      res.destroy();
      return;
    case 'stall':
      return;
    case 'garbage':
      res.writeHead(200, openAIHeaders(context.requestId, context.startedAt, 'application/json'));
      res.end('{"id":"chatcmpl-garbage","object":"chat.comp');
      return;
    case 'error-first':
    case 'error-mid':
    case 'overloaded':
      sendOpenAIError(res, openAIErrors.serverError(), context.requestId, context.startedAt);
      return;
    default:
      res.writeHead(200, openAIHeaders(context.requestId, context.startedAt, 'application/json'));
      res.end(completionBody(style, plan));
  }
}

async function handleChatCompletions(context: RouteContext): Promise<void> {
  const fail = (error: Parameters<typeof sendOpenAIError>[1]): void =>
    sendOpenAIError(context.res, error, context.requestId, context.startedAt);
  if (!hasBearerToken(context.req)) return fail(openAIErrors.missingKey());
  let body: unknown;
  try {
    body = JSON.parse(context.body);
  } catch {
    return fail(openAIErrors.invalidJson());
  }
  const parsed = parseOpenAIChatRequest(body);
  if (!parsed.ok) return fail(parsed.error);
  const { request } = parsed;
  const directives = readDirectives(lastUserText(request));
  // Markers included in the key: the same conversation retried counts as one.
  const fault = context.faults.take(directives.fault, hashText(JSON.stringify(request.messages)));
  if (fault === '429') return fail(openAIErrors.rateLimited(request.model));
  if (fault === '500') return fail(openAIErrors.serverError());
  if (fault === '503' || fault === '529') return fail({ ...openAIErrors.serverError(), status: Number(fault) });
  const reply: Reply = {
    context,
    style: newChunkStyle(request),
    plan: planOpenAIChatAnswer(request),
    fault,
    pace: directives.pace ?? context.pace,
  };
  await (request.stream === true ? streamAnswer(reply) : answerWhole(reply));
}

/** The Chat Completions endpoint. */
export const openAIChatRoute: UpstreamRoute = {
  method: 'POST',
  path: '/v1/chat/completions',
  handle: handleChatCompletions,
};
