import { html, nothing, type TemplateResult } from 'lit';
import type { RetryEvent } from './shared/protocol.js';
import { renderStats } from './stats-line.js';
import type { AnswerStats, StreamController } from './stream-controller.js';

/** A message the user sent: plain text, never markup. */
export function renderUserMessage(content: string): TemplateResult {
  return html`<div class="message user" part="message user">${content}</div>`;
}

/**
 * The model's reasoning above its answer, as a disclosure: plain text (model output,
 * never markup), outside any live region. Nothing when there is none.
 */
export function renderReasoning(text: string, open: boolean, thinking: boolean): TemplateResult | typeof nothing {
  return text
    ? html`<details class="reasoning" part="reasoning" ?open=${open}
        ><summary>${thinking ? 'Thinking…' : 'Thoughts'}</summary>
        <div>${text}</div></details
      >`
    : nothing;
}

/** A finished answer: its reasoning (collapsed), its rendered content node and, when known, its usage. */
export function renderAnswer(content: HTMLElement, stats: AnswerStats | undefined, reasoning: TemplateResult | typeof nothing): TemplateResult {
  return html`<div class="message assistant" part="message assistant">
    ${reasoning}${content}${stats ? html`<div class="meta">${renderStats(stats)}</div>` : nothing}
  </div>`;
}

/**
 * The answer on screen now: its growing content, the typing indicator while it
 * streams, live usage, and after an error or a cancel the reason and a Retry button.
 */
export function renderLiveAnswer(
  content: HTMLElement,
  stream: StreamController,
  onRetry: () => void,
  reasoning: TemplateResult | typeof nothing,
): TemplateResult {
  const failed = stream.status === 'error' || stream.status === 'cancelled';
  return html`<div class="message assistant" part="message assistant" aria-busy=${stream.busy ? 'true' : 'false'}>
    ${reasoning}${content}
    ${stream.busy
      ? html`<span class="typing" part="typing-indicator"
          ><span aria-hidden="true"></span><span aria-hidden="true"></span><span aria-hidden="true"></span
          ><span class="visually-hidden">The assistant is writing…</span></span
        >`
      : nothing}
    <div class="meta">
      ${stream.retrying ? html`<span>${retryLabel(stream.retrying)}</span>` : nothing} ${stream.stats ? renderStats(stream.stats) : nothing}
      ${stream.status === 'error' ? html`<span class="error" part="error" role="alert">${stream.error?.message}</span>` : nothing}
      ${stream.status === 'cancelled' ? html`<span>Cancelled.</span>` : nothing}
      ${failed ? html`<button class="secondary" part="retry-button" type="button" @click=${onRetry}>Retry</button>` : nothing}
    </div>
  </div>`;
}

/** A wait of a second or more (a rate limit's `Retry-After`, a backoff) says why, in the server's words. */
function retryLabel(retry: RetryEvent): string {
  return retry.delayMs >= 1_000 ? `${retry.reason} Retrying in ${Math.ceil(retry.delayMs / 1_000)} s…` : 'Retrying…';
}
