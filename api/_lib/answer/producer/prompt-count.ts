import { countChatTokens } from '../../counting/tokenizer.js';
import type { NormalizedRequest } from '../../request/request-schema.js';

/**
 * The prompt's token count: the handler's when it made one, else counted once when
 * first asked for. Asked for at the first token, not at the request: off the path to
 * the first token, and never for an answer whose provider reports usage before a
 * metadata event is due.
 */
export class PromptCount {
  readonly #request: NormalizedRequest;
  readonly #given: number | undefined;
  #known: number | undefined;
  #counting: Promise<number> | undefined;
  #scheduled = false;

  constructor(request: NormalizedRequest, given: number | undefined) {
    this.#request = request;
    this.#given = given;
  }

  /** The count once it has resolved; undefined before. */
  get known(): number | undefined {
    return this.#known;
  }

  /**
   * Starts the count a turn later (`setImmediate`): tokenizing runs on this thread,
   * and asked for beside the first token it ran before that token's bytes left (about
   * 0.5 ms on a cold process). The metadata event carries the count once it is known.
   */
  countSoon(): void {
    if (this.#counting || this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => void this.count());
  }

  count(): Promise<number> {
    if (!this.#counting) {
      const request = this.#request;
      this.#counting = this.#given === undefined ? countChatTokens(request.messages, request.model.encoding) : Promise.resolve(this.#given);
      this.#counting.then((n) => (this.#known = n), ignore);
    }
    return this.#counting;
  }
}

const ignore = (): void => {};
