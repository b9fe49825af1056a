/** The lazily loaded persistence chunk (widget/chat-persistence.ts). */
export type PersistenceChunk = typeof import('./chat-persistence.js');

let chunk: Promise<PersistenceChunk | undefined> | undefined;

/**
 * Loads the code that keeps a conversation in Web Storage, once per page, when an
 * element needs it: `persist` is set, a reload record waits for it, or it starts its
 * first answer (which is kept for a reload while it streams). Like the highlighter
 * chunk, the `import()` is relative to the element's own script. Resolves `undefined`
 * when the chunk cannot load (a CSP or a missing file): then nothing lasts.
 */
export function loadPersistence(): Promise<PersistenceChunk | undefined> {
  chunk ??= import('./chat-persistence.js').catch(() => undefined);
  return chunk;
}

/**
 * The storage key of an element's reload record (an answer that was streaming when the
 * page went away), by the page's path and the element's id, else its place.
 */
export const liveRecordKey = (name: string): string => `ai-stream-chat:live:${location.pathname}#${name}`;

/** Whether a reload record waits under `key` (storage that throws holds none). */
export function hasRecord(key: string): boolean {
  try {
    return sessionStorage.getItem(key) !== null;
  } catch {
    return false;
  }
}
