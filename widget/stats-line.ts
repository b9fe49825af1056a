import { html, nothing, type TemplateResult } from 'lit';
import { strings } from './strings.js';
import type { AnswerStats } from './stream-controller.js';

const count = new Intl.NumberFormat('en');
const speed = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/**
 * Token usage of one answer as one short line: prompt and completion tokens, and the
 * speed once it can be measured. Estimates (while streaming) are marked with `~`.
 */
export function renderStats(stats: AnswerStats): TemplateResult {
  const approx = stats.source === 'estimate' ? '~' : '';
  return html`<span class="usage" part="usage"
    >${stats.promptTokens === undefined ? nothing : `${count.format(stats.promptTokens)} prompt · `}${approx}${strings.completionTokens(
      stats.completionTokens,
      count.format(stats.completionTokens),
    )}${stats.tokensPerSecond === undefined ? nothing : ` · ${speed.format(stats.tokensPerSecond)} tokens/s`}</span
  >`;
}
