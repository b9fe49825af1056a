/**
 * Some local models (DeepSeek-R1 distills, Qwen3, QwQ behind a server without a
 * reasoning parser) write their thinking inline, at the very start of the content:
 * `<think>…</think>` and then the answer. This splits such content, delta by delta,
 * into reasoning and answer text, whatever the cuts between deltas (a tag may arrive
 * one character at a time).
 *
 * Only a `<think>` that opens the content counts: a tag later in the answer is the
 * answer's text (a model explaining the tag, say). Whitespace right after either tag is
 * dropped (models put a newline or two there). At most a tag's length of text is ever
 * held back, and only while it could still be a tag.
 */

const OPEN = '<think>';
const CLOSE = '</think>';

/** What one delta (or the end) yields: the reasoning comes before the text, either may be empty. */
export interface ThinkSplit {
  reasoning: string;
  text: string;
}

/** Where the splitter is in the content. */
type Phase = 'start' | 'thinking' | 'after-think' | 'answer';

/**
 * Splits a leading `<think>…</think>` out of streamed content.
 *
 * @example
 * const splitter = new ThinkTagSplitter();
 * splitter.push('<thi'); // { reasoning: '', text: '' }
 * splitter.push('nk>hmm</think>\n\nHi'); // { reasoning: 'hmm', text: 'Hi' }
 */
export class ThinkTagSplitter {
  #phase: Phase = 'start';
  /** Text held back while it may still be (the start of) a tag. */
  #held = '';
  /** No reasoning went out yet: whitespace after `<think>` is still dropped. */
  #reasoningStarted = false;

  /** True once the content is plain answer text and nothing is held: `push` returns its input as text. */
  get passing(): boolean {
    return this.#phase === 'answer';
  }

  /** Splits the next delta. */
  push(delta: string): ThinkSplit {
    const chunk = this.#held + delta;
    this.#held = '';
    switch (this.#phase) {
      case 'answer':
        return { reasoning: '', text: chunk };
      case 'start':
        return this.#start(chunk);
      case 'thinking':
        return this.#thinking(chunk);
      case 'after-think':
        return { reasoning: '', text: this.#afterThink(chunk) };
    }
  }

  /** The content ended: what was held back goes out as what it turned out to be. */
  end(): ThinkSplit {
    const held = this.#held;
    this.#held = '';
    if (this.#phase === 'start') {
      this.#phase = 'answer';
      return { reasoning: '', text: held };
    }
    if (this.#phase === 'thinking') return { reasoning: this.#reasoning(held), text: '' };
    return { reasoning: '', text: '' };
  }

  #start(chunk: string): ThinkSplit {
    if (chunk.length < OPEN.length && OPEN.startsWith(chunk)) {
      this.#held = chunk;
      return { reasoning: '', text: '' };
    }
    if (!chunk.startsWith(OPEN)) {
      this.#phase = 'answer';
      return { reasoning: '', text: chunk };
    }
    this.#phase = 'thinking';
    return this.#thinking(chunk.slice(OPEN.length));
  }

  #thinking(chunk: string): ThinkSplit {
    const close = chunk.indexOf(CLOSE);
    if (close >= 0) {
      this.#phase = 'after-think';
      return { reasoning: this.#reasoning(chunk.slice(0, close)), text: this.#afterThink(chunk.slice(close + CLOSE.length)) };
    }
    const keep = partialTagAtEnd(chunk, CLOSE);
    this.#held = chunk.slice(chunk.length - keep);
    return { reasoning: this.#reasoning(chunk.slice(0, chunk.length - keep)), text: '' };
  }

  #afterThink(chunk: string): string {
    const text = chunk.trimStart();
    if (text !== '') this.#phase = 'answer';
    return text;
  }

  #reasoning(piece: string): string {
    if (this.#reasoningStarted) return piece;
    const trimmed = piece.trimStart();
    if (trimmed !== '') this.#reasoningStarted = true;
    return trimmed;
  }
}

/** The length of the longest end of `text` that is a proper start of `tag` (0 when none). */
function partialTagAtEnd(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(tag.slice(0, length))) return length;
  }
  return 0;
}
