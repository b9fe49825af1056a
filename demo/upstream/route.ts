import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultLedger } from './fault-ledger.js';
import type { Pace } from './pace.js';
import type { UpstreamStats } from './upstream-stats.js';

/** Everything a provider module needs to answer one request. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request body, already read (bounded) and decoded as UTF-8. */
  body: string;
  /** A fresh id for the response's request-id header and the stats. */
  requestId: string;
  /** `performance.now()` on arrival. */
  startedAt: number;
  /** The server's pace; a `[[pace:…]]` marker overrides it per request. */
  pace: Pace;
  faults: FaultLedger;
  stats: UpstreamStats;
  /** True once `close()` was called. */
  isClosing(): boolean;
}

/**
 * One endpoint of one provider's API. Provider modules export their routes
 * (`openai-chat.ts` today, `anthropic-messages.ts` next to it later) and the server
 * mounts them; each route does its own auth and error shapes.
 */
export interface UpstreamRoute {
  method: 'GET' | 'POST';
  /** The exact path, or a pattern for paths with parameters (Gemini's `models/{model}:…`). */
  path: string | RegExp;
  handle(context: RouteContext): Promise<void>;
}
