/**
 * The highlighter chunk: loaded with `import()` by the element only when a code block
 * with a language label appears (widget/code-highlighter.ts), from the same folder as
 * the element's own module. It imports nothing from the element.
 */
export { CodeHighlight, highlightCode, highlightPrefix } from './code-highlight.js';
export { tokenKinds, type TokenKind } from './tokenize.js';
