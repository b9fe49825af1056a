/** The lazily loaded highlighter chunk (widget/highlight/index.ts). */
export type HighlighterChunk = typeof import('./highlight/index.js');
/** What colours one growing code block: `update()` after each write. */
export interface BlockHighlighter {
  update(): void;
}

let chunk: Promise<HighlighterChunk | undefined> | undefined;

/**
 * Loads the highlighter chunk, once per page, the first time a code block with a
 * language appears. The bundler keeps `./highlight/index.js` a separate file and
 * writes the `import()` relative to this module, so the browser fetches it from
 * wherever the element's own script came from (same origin as the element, also when
 * the page is on another one). Resolves `undefined` where the CSS Custom Highlight API
 * is missing or the chunk cannot load (a CSP or a missing file): the code stays plain.
 */
export function loadHighlighter(): Promise<HighlighterChunk | undefined> {
  if (typeof CSS === 'undefined' || !('highlights' in CSS) || typeof Highlight !== 'function') return Promise.resolve(undefined);
  chunk ??= import('./highlight/index.js').catch(() => undefined);
  return chunk;
}
