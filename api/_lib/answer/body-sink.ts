/**
 * Where one response body's bytes go: a Web stream's controller (a
 * `ReadableStreamDefaultController` is one as it is) or a Node response
 * (http/node-mount.ts). `enqueue` throws once the body is gone (the client left).
 */
export interface BodySink {
  enqueue(chunk: Uint8Array): void;
  close(): void;
  /** Room left before the client is behind; 0 or less: behind. */
  readonly desiredSize: number | null;
}

/**
 * The sink a reader writes to from its first frame, before the mount has a body to
 * give it: what is written is held, then handed over in order by `attach`. A reader
 * attaches to its producer before the answer's first event, so nothing is lost
 * whenever the mount gets to write the response head.
 */
export class HeldSink implements BodySink {
  readonly #highWater: number;
  #target: BodySink | undefined;
  #held: Uint8Array[] = [];
  #heldBytes = 0;
  #closed = false;

  constructor(highWater: number) {
    this.#highWater = highWater;
  }

  enqueue(chunk: Uint8Array): void {
    if (this.#target) return this.#target.enqueue(chunk);
    if (this.#closed) throw new TypeError('The body is closed.');
    this.#held.push(chunk);
    this.#heldBytes += chunk.byteLength;
  }

  close(): void {
    if (this.#target) return this.#target.close();
    this.#closed = true;
  }

  get desiredSize(): number | null {
    return this.#target ? this.#target.desiredSize : this.#highWater - this.#heldBytes;
  }

  /** From now on bytes go to `target`, after what was held. */
  attach(target: BodySink): void {
    if (this.#target) return;
    this.#target = target;
    const held = this.#held;
    this.#held = [];
    try {
      for (const chunk of held) target.enqueue(chunk);
      if (this.#closed) target.close();
    } catch {
      // The body went away first: the reader finds out on its next write.
    }
  }
}
