/** Something with coarse timeouts, looked at on every tick of a {@link StreamClock}. */
export interface Clocked {
  onTick(now: number): void;
}

/**
 * One interval for the coarse timeouts of every open stream (the stream deadline, the
 * upstream idle watchdog, the heartbeat), instead of three timers per stream: a Node
 * timer is 120 bytes and its callback another closure, about 0.6 KB per open stream in
 * all (docs/server-design.md). Node's own HTTP server times requests out the same way,
 * by sweeping its connections (`connectionsCheckingInterval`).
 *
 * A timeout of T ms then fires between T and T + tick ms. The interval runs only while
 * some stream is open, and never keeps the process alive by itself.
 */
export class StreamClock {
  readonly #members = new Set<Clocked>();
  readonly #tickMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(tickMs: number) {
    this.#tickMs = tickMs;
  }

  add(member: Clocked): void {
    this.#members.add(member);
    if (this.#timer) return;
    this.#timer = setInterval(this.#tick, this.#tickMs);
    this.#timer.unref();
  }

  delete(member: Clocked): void {
    this.#members.delete(member);
    if (this.#members.size > 0 || !this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Whether the interval is running (some stream is open). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  readonly #tick = (): void => {
    const now = performance.now();
    // A member that ends on its tick leaves the set; iteration goes on with the rest.
    for (const member of this.#members) member.onTick(now);
  };
}

/** The tick for timeouts of these lengths: a tenth of the shortest, from 10 ms to 1 s. */
export function clockTickMs(...timeoutsMs: number[]): number {
  return Math.min(1_000, Math.max(10, Math.floor(Math.min(...timeoutsMs) / 10)));
}
