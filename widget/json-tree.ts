import { html, nothing, type TemplateResult } from 'lit';
import type { PathSegment } from './shared/partial-json/index.js';

/**
 * A JSON value as a pretty, indented tree. `openPath` (from the partial-JSON parser)
 * names the chain of values still being written: each is drawn with an `open` class
 * and, instead of its closing bracket or quote, an ellipsis, so a reader sees what is
 * final and what is still growing. Values become text only, never markup.
 */
export function renderJsonTree(value: unknown, openPath: readonly PathSegment[] | undefined): TemplateResult {
  return html`<div class="json" part="json">${renderValue(value, openPath, 0)}</div>`;
}

function renderValue(value: unknown, openPath: readonly PathSegment[] | undefined, depth: number): TemplateResult {
  // Only values on the open path get `openPath`; a final value gets `undefined`.
  const open = openPath !== undefined;
  const next = openPath?.[depth];
  if (Array.isArray(value)) {
    const items = value.map(
      (item, index) =>
        html`<div class="entry">${renderValue(item, next === index ? openPath : undefined, depth + 1)}${
          index < value.length - 1 ? ',' : nothing
        }</div>`,
    );
    return container('[', ']', items, open);
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    const entries = keys.map(
      (key, index) =>
        html`<div class="entry"><span class="key">${JSON.stringify(key)}</span>: ${renderValue(
          (value as Record<string, unknown>)[key],
          next === key ? openPath : undefined,
          depth + 1,
        )}${index < keys.length - 1 ? ',' : nothing}</div>`,
    );
    return container('{', '}', entries, open);
  }
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value);
    return open
      ? html`<span class="string open">${quoted.slice(0, -1)}<span class="pending">…</span></span>`
      : html`<span class="string">${quoted}</span>`;
  }
  if (value === undefined) return html`<span class="pending">…</span>`;
  return html`<span class=${typeof value === 'number' ? 'number' : 'literal'}>${JSON.stringify(value)}</span>`;
}

function container(start: string, end: string, entries: TemplateResult[], open: boolean): TemplateResult {
  return html`<span class=${open ? 'container open' : 'container'}
    >${start}<div class="entries">${entries}</div>${
      open ? html`<span class="pending">…</span>` : end
    }</span
  >`;
}
