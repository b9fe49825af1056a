import { EventEmitter } from 'node:events';
import type { FaultName } from './directives.js';

/**
 * Why a streaming response ended:
 * - `completed`: the whole answer and the end marker were written;
 * - `client-aborted`: the client closed the connection first;
 * - `fault`: the upstream ended it on purpose (a `[[fault:…]]` marker);
 * - `server-closed`: `close()` was called while it was still open.
 */
export type StreamCloseReason = 'completed' | 'client-aborted' | 'fault' | 'server-closed';

/** One finished streaming response. */
export interface StreamClosed {
  reason: StreamCloseReason;
  /** `performance.now()` when the connection closed. */
  at: number;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** Body bytes handed to the socket. */
  bytesSent: number;
  /** The `x-request-id` the response carried. */
  requestId: string;
  path: string;
  /** The fault acted out, if any. */
  fault?: FaultName;
}

/** One request as the upstream received it, for tests that check what was forwarded. */
export interface RecordedRequest {
  requestId: string;
  method: string;
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** `performance.now()` on arrival. */
  at: number;
}

interface StatsEvents {
  'stream-closed': [StreamClosed];
  request: [RecordedRequest];
}

/** How many closed streams and requests are kept for inspection. */
const HISTORY = 500;

/**
 * Live counters of one local upstream, for tests and benchmarks.
 *
 * @example
 * const closed = await upstream.stats.nextStreamClosed();
 * expect(closed.reason).toBe('client-aborted');
 */
export class UpstreamStats extends EventEmitter<StatsEvents> {
  /** Streaming responses in progress. */
  openStreams = 0;
  /** Every HTTP request received, whatever its answer. */
  totalRequests = 0;
  /** Body bytes handed to sockets by all streaming responses so far, updated as they write. */
  bytesSent = 0;
  /** The most recent closed streams, oldest first. */
  readonly closedStreams: StreamClosed[] = [];
  /** The most recent requests, oldest first. */
  readonly requests: RecordedRequest[] = [];

  /** Resolves with the next `stream-closed` event. */
  nextStreamClosed(): Promise<StreamClosed> {
    return new Promise((resolve) => this.once('stream-closed', resolve));
  }

  /** @internal Called by the server for every request. */
  recordRequest(request: RecordedRequest): void {
    this.totalRequests += 1;
    this.requests.push(request);
    if (this.requests.length > HISTORY) this.requests.shift();
    this.emit('request', request);
  }

  /** @internal Called when a streaming response starts. */
  recordStreamOpened(): void {
    this.openStreams += 1;
  }

  /** @internal Called once when a streaming response's connection closes. */
  recordStreamClosed(closed: StreamClosed): void {
    this.openStreams -= 1;
    this.closedStreams.push(closed);
    if (this.closedStreams.length > HISTORY) this.closedStreams.shift();
    this.emit('stream-closed', closed);
  }
}
