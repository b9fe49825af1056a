import { HOSTILE_FAULTS, RUNAWAY_DELTAS, type HostileFault } from '../../demo/upstream/openai-hostile.js';
import type { StreamClosed } from '../../demo/upstream/server.js';
import type { TestApi } from './api-server.js';
import { postChat, readEvents, type ReceivedEvent } from './read-events.js';

/**
 * The hostile upstream of the tests: the local upstream (demo/upstream) acting out the
 * faults of `openai-hostile.ts`, asked for with the same `[[fault:NAME]]` markers a
 * person uses against `npm start`. One implementation, two ways in.
 */
export { HOSTILE_FAULTS, RUNAWAY_DELTAS, type HostileFault };

/** A user message that asks the local upstream for `fault` on every attempt. */
export function hostileMessage(fault: HostileFault, text = 'tell me something'): string {
  return `${text} [[fault:${fault}]]`;
}

/** What one answer against a hostile upstream gave: the client's events and how the upstream's connection ended. */
export interface HostileOutcome {
  events: ReceivedEvent[];
  /** The upstream's record of its (last) streaming response closing. */
  closed: StreamClosed;
}

/**
 * Asks `api` for an answer while the upstream acts out `fault`, reads every event, and
 * waits for the upstream to see its connection close.
 */
export async function askHostile(api: TestApi, fault: HostileFault, body: Record<string, unknown> = {}): Promise<HostileOutcome> {
  const closed = api.upstream.stats.nextStreamClosed();
  const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: hostileMessage(fault) }], ...body }));
  return { events, closed: await closed };
}
