import type { OutgoingHttpHeaders } from 'node:http';
import type { FaultName } from './directives.js';
import type { Pace } from './pace.js';
import { writePaced } from './paced-writer.js';
import type { RouteContext } from './route.js';
import { StreamResponse } from './stream-response.js';

/**
 * The provider-neutral shape of one streamed answer, with the faults acted out at the
 * same points on every route: reasoning deltas, then text deltas, then the ending.
 * A provider module supplies a {@link StreamScript} (its frames, in its framing) and
 * this drives it at the request's pace through a {@link StreamResponse}.
 */

/** How many text deltas `error-mid`, `drop` and `stall` send before the fault, on every route. */
export const FAULT_AFTER_DELTAS = 5;

/** A provider's frames for one answer. Methods are called in stream order, once each unless noted. */
export interface StreamScript {
  /** Sent with the first bytes, after the time to first token. */
  readonly headers: OutgoingHttpHeaders;
  /** What opens the answer (`message_start`, `response.created`, …), or ''. */
  open(): string;
  /** One reasoning delta (called for each). */
  reasoning(delta: string, index: number): string;
  /** What comes between the last reasoning delta and the first text delta (block changes), or ''. */
  startText(): string;
  /** One text delta (called for each). */
  text(delta: string, index: number): string;
  /** The normal ending: stop reason, usage, terminator. */
  finish(): string;
  /** The whole body of an `error-first` or `overloaded` fault: an error as the first event. */
  errorFirst(fault: 'error-first' | 'overloaded'): string;
  /** The error written after {@link FAULT_AFTER_DELTAS} text deltas (`error-mid`). */
  errorMid(): string;
  /** What follows `open()` in a `garbage` fault: an event cut in the middle. */
  garbage(): string;
}

/** What the script streams: the plan's deltas. */
export interface ScriptedAnswer {
  reasoning: readonly string[];
  deltas: readonly string[];
}

/**
 * Streams `answer` through `script`, acting out `fault` (the status faults are the
 * route's to answer before this). Resolves when the response is over.
 */
export async function streamScripted(
  context: RouteContext,
  script: StreamScript,
  answer: ScriptedAnswer,
  fault: FaultName | undefined,
  pace: Pace,
): Promise<void> {
  const stream = new StreamResponse(context, fault);
  if (!(await stream.sleep(pace.firstTokenMs, pace.exact))) return;
  stream.start(200, script.headers);
  if (fault === 'error-first' || fault === 'overloaded') {
    if (await stream.write(script.errorFirst(fault))) stream.end('fault');
    return;
  }
  if (fault === 'garbage') {
    if (await stream.write(script.open() + script.garbage())) stream.end('fault');
    return;
  }
  const faultsMidway = fault === 'error-mid' || fault === 'drop' || fault === 'stall';
  const count = faultsMidway ? Math.min(FAULT_AFTER_DELTAS, answer.deltas.length) : answer.deltas.length;
  if (!(await stream.write(script.open()))) return;
  if (!(await writePaced(stream, pace, answer.reasoning.length, (i) => script.reasoning(answer.reasoning[i] ?? '', i)))) return;
  const between = script.startText();
  if (between !== '' && !(await stream.write(between))) return;
  if (!(await writePaced(stream, pace, count, (i) => script.text(answer.deltas[i] ?? '', i)))) return;
  switch (fault) {
    case 'error-mid':
      if (await stream.write(script.errorMid())) stream.end('fault');
      return;
    case 'drop':
      // Let the partial answer reach the client first; a real drop loses only what follows.
      await stream.flushed();
      stream.destroy();
      return;
    case 'stall':
      await stream.untilClosed();
      return;
    default:
      if (await stream.write(script.finish())) stream.end('completed');
  }
}
