import { html, nothing, type TemplateResult } from 'lit';
import type { Translation } from './i18n.js';
import type { AnswerStats } from './stream-controller.js';

/**
 * Token usage of one answer as one short line: prompt and completion tokens, and the
 * speed once it can be measured, in the element's language (numbers and plurals from
 * `Intl`). Estimates (while streaming) are marked with `~`.
 */
export function renderStats(stats: AnswerStats, t: Translation): TemplateResult {
  const { strings } = t;
  const approx = stats.source === 'estimate' ? '~' : '';
  const { promptTokens: prompt, completionTokens: completion, tokensPerSecond: speed } = stats;
  return html`<span class="usage" part="usage"
    >${prompt === undefined ? nothing : `${strings.promptTokens(t.count(prompt), t.plural(prompt))} · `}${approx}${strings.completionTokens(
      t.count(completion),
      t.plural(completion),
    )}${speed === undefined ? nothing : ` · ${strings.tokensPerSecond(t.decimal(speed))}`}</span
  >`;
}
