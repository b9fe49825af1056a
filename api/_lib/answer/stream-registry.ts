/** What the registry keeps of one live stream: a way to cancel it, and its gauges. */
export interface StreamEntry {
  /** Cancels the stream (someone asked): the upstream is aborted and readers get its last event. */
  cancel(reason: unknown): void;
  /** Bytes framed but not yet taken by the HTTP layer (for backpressure checks). */
  bufferedBytes(): number;
  /** Body characters read from the upstream so far. */
  upstreamChars(): number;
}

/**
 * The streams this instance is serving, by id, so `DELETE ?id=` can cancel one and a
 * resume on this instance can attach to its producer. Every
 * ending (done, error, cancel, disconnect, timeout) removes the entry; tests assert
 * that the registry is empty afterwards.
 */
export class StreamRegistry<Entry extends StreamEntry = StreamEntry> {
  readonly #streams = new Map<string, Entry>();

  add(id: string, entry: Entry): void {
    this.#streams.set(id, entry);
  }

  get(id: string): Entry | undefined {
    return this.#streams.get(id);
  }

  delete(id: string): void {
    this.#streams.delete(id);
  }

  /** Cancels a stream; false when this instance does not serve it. */
  cancel(id: string, reason: unknown): boolean {
    const entry = this.#streams.get(id);
    if (!entry) return false;
    entry.cancel(reason);
    return true;
  }

  get size(): number {
    return this.#streams.size;
  }
}
