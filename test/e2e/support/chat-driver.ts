import type { Locator, Page } from 'playwright-core';
import { waitFor } from './wait-for.js';

/** One `<ai-stream-chat>` event as recorded in the page. */
export interface RecordedEvent {
  type: string;
  /** `text` of token/done/error/cancel events; the JSON value for `ai-stream-json`. */
  detail: unknown;
  complete?: boolean;
}

const eventTypes = ['ai-stream-start', 'ai-stream-token', 'ai-stream-json', 'ai-stream-done', 'ai-stream-error', 'ai-stream-cancel'];

/**
 * Drives one `<ai-stream-chat>` on a page the way a user does (typing, keys, buttons),
 * and reads what the user sees from its shadow DOM. Playwright's CSS locators pierce
 * open shadow roots, so `selector textarea` reaches the element's message box.
 */
export class ChatDriver {
  readonly page: Page;
  readonly selector: string;
  readonly element: Locator;

  constructor(page: Page, selector: string) {
    this.page = page;
    this.selector = selector;
    this.element = page.locator(selector);
  }

  /** The element's part `name` (e.g. `retry-button`, `error`, `cancel-button`). */
  part(name: string): Locator {
    return this.page.locator(`${this.selector} [part~="${name}"]`);
  }

  /** The message box. */
  get input(): Locator {
    return this.page.locator(`${this.selector} textarea`);
  }

  /** Types `prompt` into the message box and presses Enter. */
  async ask(prompt: string): Promise<void> {
    await this.input.fill(prompt);
    await this.input.press('Enter');
  }

  /** The text of every assistant answer on screen, oldest first. */
  answers(): Promise<string[]> {
    return this.element.evaluate((element) =>
      [...(element.shadowRoot?.querySelectorAll('[part~="content"]') ?? [])].map((node) => node.textContent ?? ''),
    );
  }

  /** The text of the newest answer ('' when none). */
  async lastAnswer(): Promise<string> {
    return (await this.answers()).at(-1) ?? '';
  }

  /** Starts recording the element's events into the page; read them with {@link events}. */
  async recordEvents(): Promise<void> {
    await this.element.evaluate((element, types) => {
      const log: RecordedEvent[] = [];
      Object.defineProperty(element, '__events', { value: log, configurable: true });
      for (const type of types) {
        element.addEventListener(type, (event) => {
          const fields = event as Event & { text?: unknown; value?: unknown; complete?: boolean };
          log.push(
            type === 'ai-stream-json'
              ? { type, detail: structuredClone(fields.value), complete: fields.complete ?? false }
              : { type, detail: fields.text },
          );
        });
      }
    }, eventTypes);
  }

  /** The events recorded since {@link recordEvents}. */
  events(): Promise<RecordedEvent[]> {
    return this.element.evaluate((element) => [...((element as unknown as { __events?: RecordedEvent[] }).__events ?? [])]);
  }

  /** Waits until an event of `type` has been recorded `count` times; returns the last one. */
  async waitForEvent(type: string, count = 1, timeoutMs = 20_000): Promise<RecordedEvent> {
    return waitFor(`${count} × ${type} on ${this.selector}`, async () => {
      const matching = (await this.events()).filter((event) => event.type === type);
      return matching.length >= count ? matching.at(-1) : undefined;
    }, timeoutMs);
  }

  /** Waits until the newest answer shows at least `length` characters. */
  async waitForText(length = 1): Promise<string> {
    return waitFor(`an answer of ${length}+ characters on ${this.selector}`, async () => {
      const text = await this.lastAnswer();
      return text.length >= length ? text : undefined;
    });
  }

  /**
   * Samples the newest answer's text length on every animation frame, i.e. what each
   * paint showed, and keeps the distinct values seen before `ai-stream-done`.
   * Call before asking; read with {@link paintedLengths}.
   */
  async samplePaints(): Promise<void> {
    await this.element.evaluate((element) => {
      const lengths: number[] = [];
      let running = true;
      const tick = (): void => {
        if (!running) return;
        const contents = element.shadowRoot?.querySelectorAll('[part~="content"]');
        const length = contents?.[contents.length - 1]?.textContent?.length ?? 0;
        if (length > 0 && length !== lengths.at(-1)) lengths.push(length);
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      element.addEventListener('ai-stream-done', () => (running = false), { once: true });
      Object.defineProperty(element, '__paints', { value: lengths, configurable: true });
    });
  }

  /** The distinct answer lengths painted before the answer was done. */
  paintedLengths(): Promise<number[]> {
    return this.element.evaluate((element) => [...((element as unknown as { __paints?: number[] }).__paints ?? [])]);
  }
}
