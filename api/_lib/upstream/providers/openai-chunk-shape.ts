/**
 * The fast path for OpenAI's text chunks. Within one stream every text chunk is the
 * same JSON but for the delta's text and the random `obfuscation` padding: same id,
 * model, fingerprint, field order. Once one chunk has been parsed, later ones are
 * compared with its bytes around the text, and the text is sliced out without
 * `JSON.parse`, which was the largest cost per token of the whole server (a fifth of
 * its CPU with an unpaced upstream, more with the garbage it left; docs/server-design.md).
 *
 * A chunk is taken only when it is byte for byte the learned one outside the text (the
 * padding aside, which must still be a plain string); the text is then the characters
 * between its quotes, unescaped by JSON.parse when it has escapes. Both are what
 * JSON.parse of the whole chunk would have given. Everything else (a finish, usage, an
 * error, another shape) goes through JSON.parse of the chunk as before.
 */

/** `"content":"`: the learned prefix ends with it. */
const CONTENT_KEY = '"content":';
/** OpenAI's padding field, always last in the chunk (include_obfuscation, on by default). */
const PADDING_KEY = '"obfuscation":"';
/** What JSON would have escaped: a chunk with any of these takes the slow path. */
const NEEDS_PARSE = /[\\"\u0000-\u001f]/;
/** The padding's value and the chunk's end, matched from a given index. */
const PADDING_TAIL = /[^\\"\u0000-\u001f]*"\}$/y;

/** The suffix is the same for every stream of one server (it holds no id); kept once. */
const suffixes = new Map<string, string>();
const MAX_SUFFIXES = 64;

export class TextChunkShape {
  /** Everything before the text, up to and including the quote that opens it. */
  readonly #before: string;
  /** From the quote that closes the text to the end, or up to the padding's opening quote. */
  readonly #after: string;
  /** The chunk ends with a padding string and `}` after `#after`. */
  readonly #padded: boolean;

  private constructor(before: string, after: string, padded: boolean) {
    this.#before = before;
    this.#after = after;
    this.#padded = padded;
  }

  /**
   * Learns the shape of `data`, a chunk whose only event was the text `text` taken from
   * its delta's content. `verify` parses a chunk the slow way and returns its text when
   * that was its only event; the shape is kept only if a probe built from it reads back.
   */
  static learn(data: string, text: string, verify: (data: string) => string | undefined): TextChunkShape | undefined {
    if (NEEDS_PARSE.test(text) || text === '') return undefined;
    const at = data.indexOf(`${CONTENT_KEY}"${text}"`);
    if (at < 0 || data.indexOf(CONTENT_KEY) !== at || data.indexOf(CONTENT_KEY, at + 1) >= 0) return undefined;
    const open = at + CONTENT_KEY.length + 1;
    const close = open + text.length;
    let after = data.slice(close);
    let padded = false;
    const padding = after.lastIndexOf(PADDING_KEY);
    if (padding >= 0 && after.endsWith('"}') && !NEEDS_PARSE.test(after.slice(padding + PADDING_KEY.length, -2))) {
      after = after.slice(0, padding + PADDING_KEY.length);
      padded = true;
    }
    const shape = new TextChunkShape(flat(data.slice(0, open)), shared(after), padded);
    // The probe's text differs from the learned one: if it reads back, the shape's text
    // slot is the delta's content, and the chunk around it parses with no other event.
    const probe = text === 'q' ? 'p' : 'q';
    return verify(shape.#with(probe, 'zz')) === probe ? shape : undefined;
  }

  /** The chunk's text when `data` has this shape; undefined when it must be parsed. */
  textOf(data: string): string | undefined {
    // Compared as slices, not with startsWith: the network text is often stored two
    // bytes per character (one non-ASCII character in the read is enough), and
    // startsWith against a one-byte string is then six times slower than equality.
    const before = this.#before;
    const open = before.length;
    if (data.slice(0, open) !== before) return undefined;
    const close = data.indexOf('"', open);
    const end = close + this.#after.length;
    if (close <= open || data.slice(close, end) !== this.#after) return undefined;
    if (this.#padded) {
      // The padding is a plain string to the end, and only `}` follows it.
      PADDING_TAIL.lastIndex = end;
      if (!PADDING_TAIL.test(data)) return undefined;
    } else if (data.length !== end) {
      return undefined;
    }
    const raw = data.slice(open, close);
    if (!NEEDS_PARSE.test(raw)) return raw;
    // Escaped text (a newline is `\n` on the wire): the string alone goes through
    // JSON.parse, which also rejects what the whole chunk's parse would have rejected.
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return undefined;
    }
  }

  #with(text: string, padding: string): string {
    return this.#before + text + this.#after + (this.#padded ? `${padding}"}` : '');
  }
}

/** A copy that does not keep the whole chunk alive (a slice would). */
function flat(text: string): string {
  return (' ' + text).slice(1);
}

function shared(suffix: string): string {
  let kept = suffixes.get(suffix);
  if (kept === undefined) {
    kept = flat(suffix);
    if (suffixes.size < MAX_SUFFIXES) suffixes.set(kept, kept);
  }
  return kept;
}
