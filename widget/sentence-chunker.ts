// A sentence ends at . ! ? or … (possibly followed by closing quotes or brackets)
// before whitespace, or at a line break; the last such end in the buffer wins.
const lastBoundary = /[\s\S]*(?:[.!?…]["'”’)\]]*\s|\n)/;

/**
 * Collects streamed text and hands out whole sentences, so a screen reader hears
 * finished sentences instead of every token. Markdown syntax is stripped from what it
 * hands out: the listener should hear "bold", not "star star bold star star".
 */
export class SentenceChunker {
  #buffer = '';

  /** Adds text; returns the sentences it completed (empty when none). */
  push(text: string): string {
    this.#buffer += text;
    const match = lastBoundary.exec(this.#buffer);
    if (!match) return '';
    this.#buffer = this.#buffer.slice(match[0].length);
    return speakable(match[0]);
  }

  /** Returns whatever is left (the answer ended mid-sentence) and empties the buffer. */
  flush(): string {
    const rest = speakable(this.#buffer);
    this.#buffer = '';
    return rest;
  }
}

/** Markdown reduced to the words a listener needs. */
export function speakable(markdown: string): string {
  return markdown
    .replace(/^\s*(```|~~~).*$/gm, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^\s{0,3}(#{1,6}|>+|[-*+]|\d{1,9}[.)])\s+/gm, '')
    .replace(/(\*\*|__|\*|_|~~|`)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
