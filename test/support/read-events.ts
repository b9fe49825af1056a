import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { StreamEvent } from '../../widget/shared/protocol.js';

export interface ReceivedEvent {
  id: string | undefined;
  event: StreamEvent;
}

/** POSTs a chat request and returns the response. */
export function postChat(endpoint: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });
}

/** Reads every SSE event of a response, with `onEvent` seeing each as it arrives. */
export async function readEvents(response: Response, onEvent?: (e: ReceivedEvent) => void): Promise<ReceivedEvent[]> {
  if (!response.body) throw new Error('no body');
  const events: ReceivedEvent[] = [];
  const reader = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return events;
    const received = { id: value.id, event: JSON.parse(value.data) as StreamEvent };
    events.push(received);
    onEvent?.(received);
  }
}

/** The concatenated text of the token events. */
export function textOf(events: ReceivedEvent[]): string {
  return events.map(({ event }) => (event.type === 'token' ? event.content : '')).join('');
}

/** Polls until `check` is true, or throws after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
