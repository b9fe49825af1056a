import type { ChatMessage } from './shared/protocol.js';
import type { AnswerPosition } from './stream-controller.js';

/** A message as kept in storage: a failed answer also keeps why it failed (shown with Retry). */
export interface RecordedMessage extends ChatMessage {
  failure?: string;
}

/**
 * What the element keeps in Web Storage: the conversation and, while an answer streams,
 * where it stands (to follow it again after a reload).
 */
export interface ChatRecord {
  messages: RecordedMessage[];
  live?: AnswerPosition | undefined;
}

/**
 * The most a record may take, in characters (UTF-16, so up to twice that in bytes of
 * the origin's ~5 MB quota). A longer conversation loses its oldest turns; a stored
 * value longer than this is ignored.
 */
export const maxRecordChars = 200_000;

/**
 * The record as stored (`{v: 1, savedAt, messages, live?}`), its oldest turns dropped
 * until it fits {@link maxRecordChars}; `undefined` when not even the newest turn fits.
 */
export function encodeRecord(record: ChatRecord): string | undefined {
  const messages = [...record.messages];
  for (;;) {
    const raw = JSON.stringify({ v: 1, savedAt: Date.now(), messages, live: record.live });
    if (raw.length <= maxRecordChars) return raw;
    if (!messages.length) return undefined;
    // A turn at a time, so the conversation still starts with a question.
    messages.splice(0, messages[1]?.role === 'assistant' ? 2 : 1);
  }
}

type Loose = Partial<Record<string, unknown>>;

const isString = (value: unknown): value is string => typeof value === 'string';
// The stream id goes into a URL and the event id into a header: nothing but an id fits.
const isId = (value: unknown): value is string => isString(value) && /^[\w.:-]{1,200}$/.test(value);

/**
 * Reads a stored value back: `undefined` unless it is exactly what {@link encodeRecord}
 * writes, within the size bound and younger than `maxAgeMs` (another script's data, a
 * corrupt or tampered value is never shown). Only the known fields are kept.
 */
export function decodeRecord(raw: string, maxAgeMs: number): ChatRecord | undefined {
  let value: Loose | null;
  try {
    value = raw.length <= maxRecordChars ? (JSON.parse(raw) as Loose | null) : null;
  } catch {
    return undefined;
  }
  const messages = value?.messages;
  const live = value?.live as Loose | undefined;
  const fresh = value?.v === 1 && Date.now() - Number(value.savedAt) <= maxAgeMs;
  const validMessages =
    Array.isArray(messages) &&
    messages.every((message: Loose | null) => {
      const role = message?.role;
      return (role === 'user' || role === 'assistant') && isString(message?.content) && (message?.failure === undefined || isString(message.failure));
    });
  const validLive =
    live === undefined ||
    (isId(live?.streamId) && (live.lastEventId === undefined || isId(live.lastEventId)) && isString(live.text) && isString(live.reasoning));
  if (!fresh || !validMessages || !validLive) return undefined;
  return {
    messages: (messages as RecordedMessage[]).map(({ role, content, failure }) => (failure === undefined ? { role, content } : { role, content, failure })),
    live: live && { streamId: live.streamId as string, lastEventId: live.lastEventId as string | undefined, text: live.text as string, reasoning: live.reasoning as string },
  };
}
