/**
 * The incremental partial-JSON parser, shared by the widget and the server.
 * See docs/partial-json.md.
 */
export { createPartialJsonParser } from './parser.js';
export type { PartialJsonError, PartialJsonParser, PartialJsonResult, PathSegment } from './types.js';
