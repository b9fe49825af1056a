// Within this many pixels of the end counts as "at the bottom" (sub-pixel rounding,
// a last line half in view).
const slackPx = 24;

/**
 * Keeps a scrolling element pinned to its end while new content arrives, but only
 * while the reader is there: once they scroll up, nothing moves under them until
 * they scroll back down (or jump there with {@link jumpToEnd}).
 */
export class ScrollFollower {
  #element: HTMLElement | undefined;
  #atBottom = true;
  readonly #onChange: () => void;
  readonly #onScroll = (): void => {
    const el = this.#element;
    if (el) this.#setAtBottom(el.scrollHeight - el.scrollTop - el.clientHeight <= slackPx);
  };

  /** `onChange` is called each time {@link atBottom} flips (the element shows or hides "Jump to latest"). */
  constructor(onChange: () => void = () => {}) {
    this.#onChange = onChange;
  }

  /** Follows `element` (or nothing, with `undefined`). */
  observe(element: HTMLElement | undefined): void {
    if (element === this.#element) return;
    this.#element?.removeEventListener('scroll', this.#onScroll);
    this.#element = element;
    element?.addEventListener('scroll', this.#onScroll, { passive: true });
    this.#onScroll();
  }

  /** Whether the reader was at the end when they last scrolled. */
  get atBottom(): boolean {
    return this.#atBottom;
  }

  /** Call after content grew: scrolls to the end if the reader was there. */
  follow(): void {
    const el = this.#element;
    // Judged from the last scroll, not now: the growth itself moved the end away.
    if (el && this.#atBottom) el.scrollTop = el.scrollHeight;
  }

  /** Scrolls to the end regardless (the reader sent a message, or asked for the latest text). */
  jumpToEnd(): void {
    this.#setAtBottom(true);
    this.follow();
  }

  #setAtBottom(atBottom: boolean): void {
    if (atBottom === this.#atBottom) return;
    this.#atBottom = atBottom;
    this.#onChange();
  }
}
