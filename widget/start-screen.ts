import { html, nothing, type TemplateResult } from 'lit';

/**
 * Reads the `suggestions` attribute: prompts separated by `|`, each trimmed, empty ones
 * dropped (`suggestions="Track my order | Opening hours"`). A prompt that itself holds a
 * `|` is set through the property instead.
 */
export function suggestionsFromAttribute(value: string | null): string[] {
  return (value ?? '').split('|').map((prompt) => prompt.trim()).filter(Boolean);
}

/**
 * What an empty conversation shows: the greeting, as the assistant's first bubble
 * (with its name and avatar, `sender`), and the suggested prompts as buttons that send
 * them. Both are text the site set, rendered as text (never markup). Nothing when the
 * site set neither. `groupLabel` names the suggestions (translated).
 */
export function renderStartScreen(
  greeting: string,
  suggestions: readonly string[],
  sender: TemplateResult | typeof nothing,
  onPick: (prompt: string) => void,
  groupLabel: string,
): TemplateResult | typeof nothing {
  if (!greeting && suggestions.length === 0) return nothing;
  return html`<div class="start" part="start-screen">
    ${greeting ? html`<div class="message assistant" part="greeting">${sender}${greeting}</div>` : nothing}
    ${suggestions.length > 0
      ? html`<div class="suggestions" role="group" aria-label=${groupLabel}>
          ${suggestions.map(
            (prompt) => html`<button class="secondary" part="suggestion" type="button" @click=${() => onPick(prompt)}>${prompt}</button>`,
          )}
        </div>`
      : nothing}
  </div>`;
}
