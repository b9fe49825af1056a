import { html, nothing, type TemplateResult } from 'lit';
import type { RetryEvent } from './shared/protocol.js';
import type { Translation } from './i18n.js';
import { errorText } from './i18n-error-text.js';
import { renderStats } from './stats-line.js';
import type { AnswerStats, StreamController } from './stream-controller.js';

/**
 * The assistant's name and avatar above its messages, as the site set them (never from
 * model output): the avatar is the only image the element ever loads, from the URL in
 * `assistant-avatar`, and is decorative (`alt=""`) since the name, if any, is text
 * beside it. Nothing when neither is set.
 */
export function renderSender(name: string, avatar: string): TemplateResult | typeof nothing {
  if (!name && !avatar) return nothing;
  return html`<div class="sender" part="sender">
    ${avatar ? html`<img part="avatar" src=${avatar} alt="" width="28" height="28" />` : nothing}${name}
  </div>`;
}

/** A message the user sent: plain text, never markup; the last one can be edited (`onEdit`). */
export function renderUserMessage(t: Translation, content: string, onEdit?: () => void): TemplateResult {
  const { strings } = t;
  // No whitespace around the content: the bubble keeps the message's own line breaks.
  const edit = onEdit
    ? html`<div class="actions"><button class="secondary" part="edit-button" type="button" aria-label=${strings.editLast} @click=${onEdit}>${strings.edit}</button></div>`
    : nothing;
  return html`<div class="message user" part="message user">${content}${edit}</div>`;
}

/** What can be done with a finished answer: copy it (as markdown) and, for the last one, regenerate it. */
export interface AnswerActions {
  onCopy: () => void;
  onRegenerate: (() => void) | undefined;
}

function renderActions(t: Translation, actions: AnswerActions): TemplateResult {
  const { strings } = t;
  return html`<div class="actions">
    <button class="secondary" part="copy-button" type="button" aria-label=${strings.copyAnswer} @click=${actions.onCopy}>${strings.copy}</button>
    ${actions.onRegenerate
      ? html`<button class="secondary" part="regenerate-button" type="button" @click=${actions.onRegenerate}>${strings.regenerate}</button>`
      : nothing}
  </div>`;
}

/**
 * The model's reasoning above its answer, as a disclosure: plain text (model output,
 * never markup), outside any live region. Nothing when there is none.
 */
export function renderReasoning(t: Translation, text: string, open: boolean, thinking: boolean): TemplateResult | typeof nothing {
  return text
    ? html`<details class="reasoning" part="reasoning" ?open=${open}
        ><summary>${thinking ? t.strings.thinking : t.strings.thoughts}</summary>
        <div>${text}</div></details
      >`
    : nothing;
}

/** Why a kept answer ended early, and how to ask again. */
export interface FailedTurn {
  failure: string;
  onRetry: () => void;
}

/**
 * A finished answer: its reasoning (collapsed), its rendered content node, when known its
 * usage, and when it failed its reason and a Retry button (no alert: it was announced
 * when it happened).
 */
export function renderAnswer(
  t: Translation,
  content: HTMLElement,
  stats: AnswerStats | undefined,
  reasoning: TemplateResult | typeof nothing,
  failed: FailedTurn | undefined,
  actions: AnswerActions | undefined,
  sender: TemplateResult | typeof nothing = nothing,
): TemplateResult {
  return html`<div class="message assistant" part="message assistant">
    ${sender}${reasoning}${content}${stats || failed
      ? html`<div class="meta">
          ${stats ? renderStats(stats, t) : nothing}
          ${failed
            ? html`<span class="error" part="error">${failed.failure}</span>
                <button class="secondary" part="retry-button" type="button" @click=${failed.onRetry}>${t.strings.retry}</button>`
            : nothing}
        </div>`
      : nothing}${actions ? renderActions(t, actions) : nothing}
  </div>`;
}

/**
 * The answer on screen now: its growing content, the typing indicator while it
 * streams, live usage, and after an error or a cancel the reason and a Retry button.
 */
export function renderLiveAnswer(
  t: Translation,
  content: HTMLElement,
  stream: StreamController,
  onRetry: () => void,
  showUsage: boolean,
  reasoning: TemplateResult | typeof nothing,
  sender: TemplateResult | typeof nothing = nothing,
): TemplateResult {
  const { strings } = t;
  const failed = stream.status === 'error' || stream.status === 'cancelled';
  return html`<div class="message assistant" part="message assistant" aria-busy=${stream.busy ? 'true' : 'false'}>
    ${sender}${reasoning}${content}
    ${stream.busy
      ? html`<span class="typing" part="typing-indicator"
          ><span aria-hidden="true"></span><span aria-hidden="true"></span><span aria-hidden="true"></span
          ><span class="visually-hidden">${strings.writing}</span></span
        >`
      : nothing}
    <div class="meta">
      ${stream.retrying ? html`<span>${retryLabel(t, stream.retrying)}</span>` : nothing} ${stream.stats && showUsage ? renderStats(stream.stats, t) : nothing}
      ${stream.status === 'error' ? html`<span class="error" part="error" role="alert">${errorText(stream.error, strings)}</span>` : nothing}
      ${stream.status === 'cancelled' ? html`<span>${strings.cancelled}</span>` : nothing}
      ${failed ? html`<button class="secondary" part="retry-button" type="button" @click=${onRetry}>${strings.retry}</button>` : nothing}
    </div>
  </div>`;
}

/** A wait of a second or more (a rate limit's `Retry-After`, a backoff) says why, in the server's words. */
function retryLabel(t: Translation, retry: RetryEvent): string {
  return retry.delayMs >= 1_000 ? t.strings.retryingIn(t.count(Math.ceil(retry.delayMs / 1_000)), retry.reason) : t.strings.retrying;
}
