import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { decodeRecord, encodeRecord, type ChatRecord, type RecordedMessage } from './chat-record.js';
import type { AnswerPosition } from './stream-controller.js';

/** How long a kept conversation (`persist`) is restored after it was last saved: 30 days. */
export const persistMaxAgeMs = 30 * 24 * 60 * 60 * 1000;
/** How long an answer kept only for a reload (no `persist`) is taken up again: 1 hour. */
export const liveMaxAgeMs = 60 * 60 * 1000;

/** What the element shows {@link ChatPersistence}. */
export interface PersistedHost extends ReactiveControllerHost, HTMLElement {
  /** The storage key of a lasting conversation; empty: only an answer in progress is kept, for a reload. */
  persist: string;
  persistStorage: 'local' | 'session';
}

/** How {@link ChatPersistence} reads and rebuilds the element's conversation. */
export interface PersistenceOptions {
  /** The conversation now, and where the answer in progress stands. */
  snapshot: () => { messages: RecordedMessage[]; live: AnswerPosition | undefined };
  /** Shows a kept conversation (and takes up its answer in progress). */
  restore: (record: ChatRecord) => void;
  /** The key of the reload record (`ai-stream-chat:live:<path>#<id or place>`, widget/persistence-loader.ts). */
  liveKey: string;
}

/**
 * Keeps an element's conversation in Web Storage, so that it outlives a reload: with
 * `persist`, the whole conversation in local (or session) storage; without, only while
 * an answer streams, in `sessionStorage`, so a reload takes the answer up again. Saves
 * when an answer starts and ends, and when the page is hidden or left mid-answer (the
 * moment a reload or a phone's tab switch happens), not per token. Restores once, at
 * the first update after it is added, so properties a framework sets just after
 * connecting count. A lazy chunk (widget/persistence-loader.ts): the element adds it
 * when `persist` is set, a reload record waits, or its first answer starts.
 */
export class ChatPersistence implements ReactiveController {
  readonly #host: PersistedHost;
  readonly #options: PersistenceOptions;
  #restored = false;
  #listening: AbortController | undefined;

  constructor(host: PersistedHost, options: PersistenceOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
    host.addEventListener('ai-stream-start', () => this.save());
  }

  hostConnected(): void {
    this.#listening = new AbortController();
    const { signal } = this.#listening;
    const saveIfStreaming = (): void => {
      if (this.#options.snapshot().live) this.save();
    };
    addEventListener('pagehide', saveIfStreaming, { signal });
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && saveIfStreaming(), { signal });
  }

  hostDisconnected(): void {
    this.#listening?.abort();
  }

  hostUpdate(): void {
    if (this.#restored) return;
    this.#restored = true;
    const raw = this.#use((storage, key) => storage.getItem(key));
    if (raw == null) return;
    const record = decodeRecord(raw, this.#host.persist ? persistMaxAgeMs : liveMaxAgeMs);
    if (record) this.#options.restore(record);
    else this.clear();
  }

  /** Writes the conversation as it stands (without `persist`: only while an answer streams). */
  save(): void {
    const { messages, live } = this.#options.snapshot();
    const raw = this.#host.persist || live ? encodeRecord({ messages, live }) : undefined;
    this.#use((storage, key) => (raw ? storage.setItem(key, raw) : storage.removeItem(key)));
  }

  /** Forgets the kept conversation. */
  clear(): void {
    this.#use((storage, key) => storage.removeItem(key));
  }

  /**
   * Runs `action` on the storage and key in use: `localStorage` or `sessionStorage` (the
   * latter without `persist`), and `ai-stream-chat:<persist>` or, for a reload only,
   * the live key (the page's path and the element's id, else its place). Storage that throws (a sandboxed
   * frame, blocked cookies, a full quota) just keeps nothing.
   */
  #use<T>(action: (storage: Storage, key: string) => T): T | undefined {
    const { persist, persistStorage } = this.#host;
    try {
      const storage = persist && persistStorage !== 'session' ? localStorage : sessionStorage;
      return action(storage, persist ? `ai-stream-chat:${persist}` : this.#options.liveKey);
    } catch {
      return undefined;
    }
  }
}
