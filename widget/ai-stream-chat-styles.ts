import { css } from 'lit';

/**
 * The element's styles. Every colour and size reads a public `--ai-stream-chat-*`
 * custom property with a light default and a dark one (`prefers-color-scheme`);
 * `all: initial` on the host keeps the page's inherited text styles out.
 */
export const aiStreamChatStyles = css`
  :host {
    all: initial;
    display: block;
    box-sizing: border-box;
    --_bg: var(--ai-stream-chat-bg, #ffffff);
    --_fg: var(--ai-stream-chat-fg, #1f2328);
    --_muted: var(--ai-stream-chat-muted, #59636e);
    --_border: var(--ai-stream-chat-border, #d1d9e0);
    --_accent: var(--ai-stream-chat-accent, #0b57d0);
    --_accent-fg: var(--ai-stream-chat-accent-fg, #ffffff);
    --_user-bg: var(--ai-stream-chat-user-bg, #e9f0fc);
    --_assistant-bg: var(--ai-stream-chat-assistant-bg, #f6f8fa);
    --_code-bg: var(--ai-stream-chat-code-bg, #eef1f4);
    --_error: var(--ai-stream-chat-error, #b3261e);
    --_radius: var(--ai-stream-chat-radius, 12px);
    font-family: var(--ai-stream-chat-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    font-size: var(--ai-stream-chat-font-size, 15px);
    line-height: 1.5;
    color: var(--_fg);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_bg: var(--ai-stream-chat-bg, #17191c);
      --_fg: var(--ai-stream-chat-fg, #e6e8eb);
      --_muted: var(--ai-stream-chat-muted, #a4acb6);
      --_border: var(--ai-stream-chat-border, #3a3f46);
      --_accent: var(--ai-stream-chat-accent, #8ab4f8);
      --_accent-fg: var(--ai-stream-chat-accent-fg, #0b1a33);
      --_user-bg: var(--ai-stream-chat-user-bg, #223047);
      --_assistant-bg: var(--ai-stream-chat-assistant-bg, #22262b);
      --_code-bg: var(--ai-stream-chat-code-bg, #2c3137);
      --_error: var(--ai-stream-chat-error, #f2b8b5);
    }
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  .chat {
    display: flex;
    flex-direction: column;
    /* Never taller than the screen: the transcript gives way, so the message box stays in view (a phone's 844px). */
    max-height: 100dvh;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  .chat[hidden] {
    display: none;
  }
  .heading {
    display: flex;
    align-items: center;
    justify-content: space-between;
    margin: 0;
    padding: 0.6em 1em;
    font-weight: 600;
    border-bottom: 1px solid var(--_border);
  }
  .close {
    border-color: transparent;
    font-size: 1.3em;
    line-height: 1;
    padding: 0.05em 0.35em;
  }
  .transcript {
    flex: 1;
    min-height: 6em;
    max-height: var(--ai-stream-chat-max-height, 32rem);
    overflow-y: auto;
    padding: 0.75em;
    display: flex;
    flex-direction: column;
    gap: 0.75em;
  }
  :focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .message {
    max-width: 100%;
    padding: 0.5em 0.8em;
    border-radius: var(--_radius);
    overflow-wrap: anywhere;
  }
  .message.user {
    align-self: flex-end;
    max-width: 85%;
    background: var(--_user-bg);
    white-space: pre-wrap;
  }
  .message.assistant {
    align-self: stretch;
    background: var(--_assistant-bg);
  }
  .reasoning {
    margin-bottom: 0.5em;
    color: var(--_muted);
    font-size: 0.93em;
  }
  .reasoning summary {
    cursor: pointer;
    width: fit-content;
  }
  .reasoning div {
    margin-top: 0.3em;
    padding-inline-start: 0.7em;
    border-inline-start: 2px solid var(--_border);
    white-space: pre-wrap;
  }
  .content > :first-child {
    margin-top: 0;
  }
  .content > :last-child {
    margin-bottom: 0;
  }
  .content :is(p, ul, ol, pre, blockquote, table) {
    margin: 0.5em 0;
  }
  /* Six visibly different levels, all above body text but h6 (muted instead). */
  .content :is(h1, h2, h3, h4, h5, h6) {
    margin: 0.8em 0 0.3em;
    line-height: 1.25;
    font-weight: 650;
  }
  .content h1 {
    font-size: 1.5em;
  }
  .content h2 {
    font-size: 1.32em;
  }
  .content h3 {
    font-size: 1.17em;
  }
  .content h4 {
    font-size: 1.06em;
  }
  .content h5 {
    font-size: 1em;
  }
  .content h6 {
    font-size: 0.93em;
    color: var(--_muted);
  }
  .content a {
    color: var(--_accent);
  }
  .content code,
  .json {
    font-family: var(--ai-stream-chat-mono-font, ui-monospace, Menlo, Consolas, monospace);
    font-size: 0.9em;
  }
  .content code {
    background: var(--_code-bg);
    border-radius: 4px;
    padding: 0.1em 0.3em;
  }
  /* Code reads left to right in any language: in a right-to-left chat the end of a line would jump to its start. */
  .content pre {
    direction: ltr;
    background: var(--_code-bg);
    border-radius: 8px;
    padding: 0.6em 0.8em;
    overflow-x: auto;
  }
  .content pre code {
    padding: 0;
    background: none;
  }
  /* The language label: drawn from the attribute, so it is text and not part of the code. */
  .content pre[data-lang]::before {
    content: attr(data-lang);
    display: block;
    position: sticky;
    left: 0;
    width: fit-content;
    margin-bottom: 0.2em;
    font-size: 0.8em;
    color: var(--_muted);
  }
  /* Syntax colours (CSS Custom Highlight API: ranges, no spans; see docs/widget.md). */
  ::highlight(ai-stream-chat-keyword) {
    color: var(--ai-stream-chat-code-keyword, #b3245c);
  }
  ::highlight(ai-stream-chat-literal),
  ::highlight(ai-stream-chat-number) {
    color: var(--ai-stream-chat-code-number, #0550ae);
  }
  ::highlight(ai-stream-chat-string) {
    color: var(--ai-stream-chat-code-string, #116329);
  }
  ::highlight(ai-stream-chat-comment) {
    color: var(--ai-stream-chat-code-comment, #59636e);
  }
  @media (prefers-color-scheme: dark) {
    ::highlight(ai-stream-chat-keyword) {
      color: var(--ai-stream-chat-code-keyword, #ff7b9c);
    }
    ::highlight(ai-stream-chat-literal),
    ::highlight(ai-stream-chat-number) {
      color: var(--ai-stream-chat-code-number, #79c0ff);
    }
    ::highlight(ai-stream-chat-string) {
      color: var(--ai-stream-chat-code-string, #7ee787);
    }
    ::highlight(ai-stream-chat-comment) {
      color: var(--ai-stream-chat-code-comment, #a4acb6);
    }
  }
  .content blockquote {
    border-inline-start: 3px solid var(--_border);
    padding-inline-start: 0.8em;
    color: var(--_muted);
  }
  .content table {
    border-collapse: collapse;
  }
  .content :is(th, td) {
    border: 1px solid var(--_border);
    padding: 0.2em 0.5em;
  }
  .json {
    white-space: pre-wrap;
  }
  .json .entries {
    padding-inline-start: 1.5em;
  }
  .key {
    color: var(--_accent);
  }
  .pending {
    color: var(--_muted);
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25em 0.75em;
    margin-top: 0.4em;
    font-size: 0.85em;
    color: var(--_muted);
  }
  .error {
    color: var(--_error);
  }
  .actions {
    display: flex;
    gap: 0.4em;
    margin-top: 0.4em;
    font-size: 0.85em;
  }
  .user .actions {
    justify-content: flex-end;
  }
  .sender {
    display: flex;
    align-items: center;
    gap: 0.5em;
    margin-block-end: 0.3em;
    font-size: 0.9em;
    font-weight: 600;
  }
  .sender img {
    width: 1.9em;
    height: 1.9em;
    border-radius: 50%;
    object-fit: cover;
  }
  .start,
  .suggestions {
    display: flex;
    flex-direction: column;
    gap: 0.75em;
  }
  .suggestions {
    flex-flow: row wrap;
    gap: 0.5em;
  }
  .suggestions button {
    border-radius: 999px;
    padding: 0.35em 0.9em;
    text-align: start;
  }
  .jump {
    position: relative;
  }
  .jump button {
    position: absolute;
    inset-block-end: 0.6em;
    inset-inline: 0;
    width: fit-content;
    margin-inline: auto;
    border-radius: 999px;
    padding: 0.3em 0.9em;
    font-size: 0.85em;
    box-shadow: 0 2px 8px rgb(0 0 0 / 25%);
  }
  .copy-code {
    display: block;
    margin-block: -0.3em 0.6em;
    margin-inline: auto 0;
    font-size: 0.8em;
  }
  .copy-code::before {
    content: attr(aria-label);
  }
  .typing {
    display: inline-flex;
    gap: 0.25em;
    padding: 0.3em 0;
  }
  .typing span {
    width: 0.45em;
    height: 0.45em;
    border-radius: 50%;
    background: var(--_muted);
    opacity: 0.25;
    animation: blink 1.2s infinite;
  }
  .typing span + span {
    animation-delay: 0.2s;
  }
  .typing span + span + span {
    animation-delay: 0.4s;
  }
  @keyframes blink {
    40% {
      opacity: 1;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .typing span {
      animation: none;
      opacity: 0.6;
    }
  }
  form {
    display: flex;
    gap: 0.5em;
    padding: 0.75em;
    border-top: 1px solid var(--_border);
  }
  textarea {
    flex: 1;
    /* Grows with its text up to max-height, then scrolls (where supported; else two rows). */
    field-sizing: content;
    resize: vertical;
    min-height: 2.6em;
    max-height: 12em;
    padding: 0.5em 0.7em;
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: 8px;
  }
  textarea::placeholder {
    color: var(--_muted);
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: 8px;
    padding: 0.45em 1em;
    border: 1px solid var(--_accent);
    background: var(--_accent);
    color: var(--_accent-fg);
  }
  button.secondary {
    background: transparent;
    color: var(--_accent);
    padding: 0.1em 0.6em;
  }
  button:disabled {
    cursor: default;
    opacity: 0.6;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
