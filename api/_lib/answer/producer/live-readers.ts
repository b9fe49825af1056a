const encoder = new TextEncoder();

/** Where the producer writes: one connection's reader attached live (see AnswerReader). */
export interface LiveTarget {
  /** Takes frames as bytes, in order. */
  write(bytes: Uint8Array): void;
  /** True while its client has not taken what it was given (the upstream then pauses). */
  readonly behind: boolean;
  /** Bytes given but not yet taken by the HTTP layer. */
  bufferedBytes(): number;
  /** The answer is over: nothing follows what was written. */
  end(): void;
}

/**
 * The readers attached to one producer: usually one, none while a dropped client is
 * away. Each flush is encoded once and the same bytes go to every one of them.
 */
export class LiveReaders {
  readonly #readers = new Set<LiveTarget>();

  get size(): number {
    return this.#readers.size;
  }

  /** Attaches a reader, first writing it `catchUp` (the frames it lacks that are held here). */
  add(reader: LiveTarget, catchUp = ''): void {
    if (catchUp !== '') reader.write(encoder.encode(catchUp));
    this.#readers.add(reader);
  }

  /** Detaches a reader; false when it was not attached. */
  delete(reader: LiveTarget): boolean {
    return this.#readers.delete(reader);
  }

  /** True while any reader has not taken what it was given. */
  anyBehind(): boolean {
    for (const reader of this.#readers) if (reader.behind) return true;
    return false;
  }

  /** The most bytes any reader was given and has not taken. */
  mostBuffered(): number {
    let most = 0;
    for (const reader of this.#readers) most = Math.max(most, reader.bufferedBytes());
    return most;
  }

  /** Writes framed text to every reader: one encoding, one write each. */
  write(text: string): void {
    if (this.#readers.size === 0 || text === '') return;
    const bytes = encoder.encode(text);
    for (const reader of this.#readers) reader.write(bytes);
  }

  /** The answer is over: ends every reader and lets them go. */
  endAll(): void {
    for (const reader of this.#readers) reader.end();
    this.#readers.clear();
  }
}
