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

  constructor(request: NormalizedRequest, given: number | undefined) {
    this.#request = request;
    this.#given = given;
  }

  /** The count once it has resolved; undefined before. */
  get known(): number | undefined {
    return this.#known;
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
