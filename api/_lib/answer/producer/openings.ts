/** Answers waiting for their first event beyond which a new answer holds its `start`. */
export const DEFAULT_HOLD_START_ABOVE = 32;

/** The longest a held `start` waits for the answer's first event in a burst that goes on (it leaves on the clock tick after this). */
export const START_HOLD_MS = 2_000;

/**
 * The answers of one handler that are still opening: begun, their first event (a token,
 * reasoning, a retry, the end) not yet sent. Past `holdAbove` of them the server is in a
 * burst, and a new answer's `start` waits to leave with its first event: one write per
 * stream instead of two while the CPU is what every stream waits for. On loopback, a
 * write of its own cost about 0.1 ms of CPU for each stream's opening (the syscall and
 * the client's wake-up), about a tenth of a request's start in a burst of 1,000
 * (docs/server-design.md, "Bursts"). A held `start` leaves on its own on the first
 * clock tick after the burst, or after START_HOLD_MS. Below the line `start` leaves at
 * once, as the response head does.
 */
export class Openings {
  readonly #holdAbove: number;
  #count = 0;

  constructor(holdAbove = DEFAULT_HOLD_START_ABOVE) {
    this.#holdAbove = holdAbove;
  }

  /** An answer begins; true when it should hold its `start` (it made the burst, or joined one). */
  begin(): boolean {
    this.#count++;
    return this.busy;
  }

  /** An answer that began sent its first event, or ended without one. */
  opened(): void {
    this.#count--;
  }

  /** More answers are opening than the line: a burst. */
  get busy(): boolean {
    return this.#count > this.#holdAbove;
  }
}
