import type { Usage } from '../../../../widget/shared/protocol.js';
import type { CompletionTokenCounter } from '../../counting/tokenizer.js';
import type { UpstreamEvent } from '../../upstream/providers/provider-adapter.js';
import type { PromptCount } from './prompt-count.js';

/** How long `done` may wait for a token count that the tokenizer is still producing. */
const COUNT_WAIT_MS = 3_000;

/** What a provider reported as usage: the last figure of each field wins. */
export type ReportedUsage = Extract<UpstreamEvent, { type: 'usage' }>;

/**
 * An answer's usage: the provider's figures when it reported both and they can be
 * true, else our own counts (`source: "estimate"`), waiting at most 3 s for the
 * tokenizer.
 */
export class UsageTally {
  readonly #contextWindow: number;
  readonly #completionBound: number;
  #promptTokens: number | undefined;
  #completionTokens: number | undefined;
  #reasoningTokens: number | undefined;
  #cachedPromptTokens: number | undefined;
  #rejected: string | undefined;

  /** `completionBound`: more completion tokens than this cannot be true (the output bound). */
  constructor(contextWindow: number, completionBound: number) {
    this.#contextWindow = contextWindow;
    this.#completionBound = completionBound;
  }

  /** Why the provider's usage was not believed, when it was not (for the log). */
  get rejected(): string | undefined {
    return this.#rejected;
  }

  /** Records a usage report; fields it carries overwrite earlier ones. */
  record(event: ReportedUsage): void {
    if (event.promptTokens !== undefined) this.#promptTokens = event.promptTokens;
    if (event.completionTokens !== undefined) this.#completionTokens = event.completionTokens;
    if (event.reasoningTokens !== undefined) this.#reasoningTokens = event.reasoningTokens;
    if (event.cachedPromptTokens !== undefined) this.#cachedPromptTokens = event.cachedPromptTokens;
  }

  /** The usage to report, from what the provider said and, where it said nothing believable, our counts. */
  async usage(prompt: PromptCount, completion: CompletionTokenCounter): Promise<Usage> {
    let p = this.#promptTokens;
    let c = this.#completionTokens;
    // Usage that cannot be true (negative, fractional, beyond the context window or the
    // output bound) is not passed on as the provider's: the estimate replaces it.
    if ((p !== undefined && !isCount(p, this.#contextWindow * 2)) || (c !== undefined && !isCount(c, this.#completionBound))) {
      this.#rejected = `prompt_tokens ${String(p)}, completion_tokens ${String(c)}`;
      p = undefined;
      c = undefined;
    }
    if (p !== undefined && c !== undefined) return { promptTokens: p, completionTokens: c, totalTokens: p + c, source: 'provider', ...this.#details() };
    const [promptTokens, completionTokens] = await Promise.all([
      p ?? withTimeout(prompt.count(), COUNT_WAIT_MS, 0),
      c ?? withTimeout(completion.count(), COUNT_WAIT_MS, completion.estimate()),
    ]);
    return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, source: 'estimate', ...this.#details() };
  }

  /** The parts of usage only some providers report, when this one did. */
  #details(): Pick<Usage, 'reasoningTokens' | 'cachedPromptTokens'> {
    const reasoningTokens = this.#reasoningTokens;
    const cachedPromptTokens = this.#cachedPromptTokens;
    return {
      ...(reasoningTokens === undefined ? {} : { reasoningTokens }),
      ...(cachedPromptTokens === undefined ? {} : { cachedPromptTokens }),
    };
  }
}

/** A token count a provider could really have made: a whole number from 0 to `max`. */
function isCount(n: number, max: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n <= max;
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}
