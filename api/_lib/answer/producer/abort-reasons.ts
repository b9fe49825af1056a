import { StreamError } from '../../stream-error.js';

/** The reason an answer is aborted when its client disconnects and nobody can come back (resume off). */
export class ClientDisconnected extends Error {
  override name = 'ClientDisconnected';
  constructor(cause?: unknown) {
    super('client disconnected', { cause });
  }
}

/** The reason an answer is aborted when its readers left and none came back within the grace. */
export class GraceOver extends Error {
  override name = 'GraceOver';
  constructor() {
    super('nobody resumed within the grace period');
  }
}

/** The error an abort ends the answer with: its own when it is a StreamError (the deadline), else `cancelled`. */
export function abortError(reason: unknown): StreamError {
  if (StreamError.is(reason)) return reason;
  return new StreamError('cancelled', 'The answer was cancelled.', { status: 499, cause: reason });
}

/** Why a cancelled answer ended, for its `cancel` log line. */
export function cancelWhy(reason: unknown): string {
  if (reason instanceof ClientDisconnected) return 'client disconnected';
  return reason instanceof GraceOver ? 'nobody resumed within the grace' : 'cancelled by id';
}
