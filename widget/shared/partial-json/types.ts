/**
 * Types of the incremental partial-JSON parser. Types only: no run-time imports, so
 * the widget and the server can both depend on it.
 */

/** One step of a path into a JSON value: an object key or an array index. */
export type PathSegment = string | number;

/** Why the input is not JSON, and where (UTF-16 offset into all text fed so far). */
export interface PartialJsonError {
  message: string;
  position: number;
}

/**
 * The parser's view after a `feed` or `end`.
 *
 * `value` and `openPath` are live: the next `feed` updates them in place (that is
 * what keeps each feed cheap). Clone them (`structuredClone`) to keep a snapshot.
 */
export interface PartialJsonResult {
  /**
   * Everything that is certain so far, `undefined` until the top-level value's type
   * is known. A shown value never changes type, strings only grow at the end, arrays
   * and objects only gain entries; nothing shown is lost (except when the document
   * repeats a key: the last one wins, as with `JSON.parse`).
   */
  value: unknown;
  /** The top-level value is finished and `value` deep-equals `JSON.parse` of the text. */
  complete: boolean;
  /**
   * Path from the top-level value to the deepest value that is shown but not finished
   * (an open string, array or object). Every value on this path, the top-level value
   * included, is still open; everything off it is final. `[]` with `complete: false`
   * means the top-level value itself is open (or not shown yet).
   */
  openPath: readonly PathSegment[];
  /** Set once the text cannot be a prefix of any JSON document; it never clears. */
  error?: PartialJsonError;
}

/** A parser for one JSON document arriving in chunks. */
export interface PartialJsonParser {
  /** Consumes the next piece of text. Costs time in proportion to `chunk` only. */
  feed(chunk: string): PartialJsonResult;
  /**
   * Declares the end of the text: finishes a bare top-level number (`12` is only known
   * to be complete here), and reports an error if the document is unfinished.
   */
  end(): PartialJsonResult;
}
