import type { Usage } from '../../../../widget/shared/protocol.js';
import type { StreamConfig } from '../../config/config.js';
import type { Logger } from '../../ops/log.js';
import type { NormalizedRequest } from '../../request/request-schema.js';
import type { SharedStore } from '../../store/shared-store.js';
import type { OpenUpstreamOptions } from '../../upstream/open-upstream.js';
import type { UpstreamTransport } from '../../upstream/transports/upstream-transport.js';
import type { EventLogTtl } from '../event-log-writer.js';
import type { StreamClock } from '../stream-clock.js';
import type { StreamRegistry } from '../stream-registry.js';
import type { Openings } from './openings.js';
import type { ClientGone } from '../../http/incoming-call.js';

/** The answer's event log, when it is kept for resume. */
export interface EventLogOptions {
  store: SharedStore;
  ttl: EventLogTtl;
  /** How long the answer goes on with no reader before its upstream is aborted. */
  graceMs: number;
}

export interface AnswerProducerOptions {
  streamId: string;
  request: NormalizedRequest;
  /** Where the answer comes from: the model's provider, then its fallbacks. `routes[0].request` is `request`. */
  routes: OpenUpstreamOptions['routes'];
  transport: UpstreamTransport;
  config: StreamConfig;
  /** The starting request's signal: an answer whose client left before it began is aborted at once. */
  clientSignal: ClientGone;
  /** Logs the answer's frames for resume; undefined when resume is off. */
  eventLog?: EventLogOptions | undefined;
  /** The answer is aborted (with `upstream_timeout`) after this long. */
  maxStreamMs: number;
  /** The prompt's exact token count when the handler already has it; else counted when first needed. */
  promptTokens: number | undefined;
  log: Logger;
  /** Where the stream is listed; it removes itself, however it ends. */
  registry: StreamRegistry;
  /** Ticks the stream's coarse timeouts: the deadline, the heartbeat, the upstream idle watchdog. */
  clock: StreamClock;
  /** The handler's answers still opening: in a burst, `start` is held for the first event. @default none: `start` leaves at once */
  openings?: Openings | undefined;
  /**
   * Called exactly once when the answer ends, however it ends, with the usage counted
   * (undefined when it failed before any output): settles the token budget, frees the
   * stream slot.
   */
  onEnd?: ((usage: Usage | undefined) => void) | undefined;
}
