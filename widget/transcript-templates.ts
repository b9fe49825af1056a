import { html, nothing, type TemplateResult } from 'lit';
import { renderStats } from './stats-line.js';
import type { AnswerStats, StreamController } from './stream-controller.js';

/** A message the user sent: plain text, never markup. */
export function renderUserMessage(content: string): TemplateResult {
  return html`<div class="message user" part="message user">${content}</div>`;
}

/** A finished answer: its rendered content node and, when known, its usage. */
export function renderAnswer(content: HTMLElement, stats: AnswerStats | undefined): TemplateResult {
  return html`<div class="message assistant" part="message assistant">
    ${content}${stats ? html`<div class="meta">${renderStats(stats)}</div>` : nothing}
  </div>`;
}

/**
 * The answer on screen now: its growing content, the typing indicator while it
 * streams, live usage, and after an error or a cancel the reason and a Retry button.
 */
export function renderLiveAnswer(content: HTMLElement, stream: StreamController, onRetry: () => void): TemplateResult {
  const failed = stream.status === 'error' || stream.status === 'cancelled';
  return html`<div class="message assistant" part="message assistant" aria-busy=${stream.busy ? 'true' : 'false'}>
    ${content}
    ${stream.busy
      ? html`<span class="typing" part="typing-indicator"
          ><span aria-hidden="true"></span><span aria-hidden="true"></span><span aria-hidden="true"></span
          ><span class="visually-hidden">The assistant is writing…</span></span
        >`
      : nothing}
    <div class="meta">
      ${stream.retrying ? html`<span>Retrying…</span>` : nothing} ${stream.stats ? renderStats(stream.stats) : nothing}
      ${stream.status === 'error' ? html`<span class="error" part="error" role="alert">${stream.error?.message}</span>` : nothing}
      ${stream.status === 'cancelled' ? html`<span>Cancelled.</span>` : nothing}
      ${failed ? html`<button class="secondary" part="retry-button" type="button" @click=${onRetry}>Retry</button>` : nothing}
    </div>
  </div>`;
}
