import { adoptStyles, html, LitElement, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { ChatMessage, StreamRequest } from './shared/protocol.js';
import { aiStreamChatStyles } from './ai-stream-chat-styles.js';
import { AnswerView, labelCodeBlocks } from './answer-view.js';
import type { ChatPersistence } from './chat-persistence.js';
import { hasRecord, liveRecordKey, loadPersistence } from './persistence-loader.js';
import type { ChatRecord, RecordedMessage } from './chat-record.js';
import { ScrollFollower } from './scroll-follower.js';
import { SentenceChunker } from './sentence-chunker.js';
import { requestHistory } from './request-history.js';
import { StreamClient } from './stream-client.js';
import type { LocaleStrings, Translation } from './i18n.js';
import { I18nController } from './i18n-controller.js';
import { errorText } from './i18n-error-text.js';
import { StreamController, type AnswerStats, type StreamOutcome } from './stream-controller.js';
import { renderAnswer, renderLiveAnswer, renderReasoning, renderSender, renderUserMessage } from './transcript-templates.js';
import { AiStreamToggleEvent, launcherLoaded, launcherShell, renderLauncher, type LauncherPosition } from './launcher.js';
import type { LauncherShell } from './launcher-shell.js';
import { renderStartScreen, suggestionsFromAttribute } from './start-screen.js';

/** An answer on screen: its content view, its reasoning, and once known its token counts. */
interface Answer {
  view: AnswerView;
  stats: AnswerStats | undefined;
  reasoning: string;
  /** Whether its Thinking section was open when the answer ended (the reader's choice stays). */
  reasoningOpen: boolean;
  /** Why it ended early (an error's message, or "Cancelled."), when it failed or was cancelled. */
  failure?: string;
}

/** How the model's reasoning shows: see {@link AiStreamChat.reasoning}. */
export type ReasoningDisplay = 'show' | 'collapsed' | 'hidden';

// Announcements older than this many are dropped from the (invisible) live region.
const keptAnnouncements = 3;

/**
 * A chat that streams the model's answers from the stream endpoint, rendering
 * markdown (or, in JSON mode, the value) as it grows.
 *
 * @fires ai-stream-start - The server accepted the request ({@link AiStreamStartEvent}).
 * @fires ai-stream-token - A piece of the answer arrived ({@link AiStreamTokenEvent}).
 * @fires ai-stream-json - JSON mode: the partial value, once per frame ({@link AiStreamJsonEvent}).
 * @fires ai-stream-done - The answer is complete, with usage ({@link AiStreamDoneEvent}).
 * @fires ai-stream-error - The answer failed ({@link AiStreamErrorEvent}).
 * @fires ai-stream-cancel - The answer was cancelled ({@link AiStreamCancelEvent}).
 * @fires ai-stream-toggle - Launcher mode: the panel opened or closed ({@link AiStreamToggleEvent}).
 * @csspart chat - The outer frame.
 * @csspart heading - The title bar (with `heading`, and always in launcher mode).
 * @csspart launcher-button - Launcher mode: the round button in the page corner that opens and closes the panel.
 * @csspart close-button - Launcher mode: closes the panel (in the title bar).
 * @csspart start-screen - The greeting and suggestions, while the conversation is empty.
 * @csspart greeting - The greeting, shown as the assistant's first message.
 * @csspart suggestion - One suggested prompt (a button that sends it).
 * @csspart sender - The assistant's name and avatar above its messages.
 * @csspart avatar - The assistant's avatar image.
 * @csspart jump-button - "Jump to latest", while an answer streams below where the reader scrolled.
 * @csspart transcript - The scrolling list of messages.
 * @csspart message - Every message; also `user` or `assistant`.
 * @csspart content - An assistant answer's rendered content.
 * @csspart reasoning - The "Thinking" disclosure above an answer (a `details` element).
 * @csspart json - The value tree of a JSON answer.
 * @csspart typing-indicator - The dots shown while the answer is coming.
 * @csspart usage - Token counts and speed under an answer.
 * @csspart error - The error message of a failed answer.
 * @csspart retry-button - Re-sends the turn after an error or a cancel.
 * @csspart copy-button - Copies an answer, as markdown.
 * @csspart regenerate-button - Asks again for the last answer.
 * @csspart copy-code-button - Copies one code block of a finished answer.
 * @csspart edit-button - Puts the last question back in the message box, to change and send again.
 * @csspart form - The input row.
 * @csspart input - The message box.
 * @csspart new-chat-button - New chat: clears the conversation (shown once there is one).
 * @csspart send-button - The Send button; the same button turns into Cancel while an answer streams, keeping this
 *   part (its `data-state` is `idle` or `streaming`, and it adds `cancel-button`).
 * @csspart cancel-button - Added to the send button while an answer streams (it then reads Cancel).
 * @cssprop --ai-stream-chat-bg - Background.
 * @cssprop --ai-stream-chat-fg - Text colour.
 * @cssprop --ai-stream-chat-muted - Secondary text (usage, placeholders, the typing dots).
 * @cssprop --ai-stream-chat-border - Borders and table rules.
 * @cssprop --ai-stream-chat-accent - Buttons, links, focus rings, JSON keys.
 * @cssprop --ai-stream-chat-accent-fg - Text on accent-coloured buttons.
 * @cssprop --ai-stream-chat-user-bg - Background of the user's messages.
 * @cssprop --ai-stream-chat-assistant-bg - Background of the answers.
 * @cssprop --ai-stream-chat-code-bg - Background of code.
 * @cssprop --ai-stream-chat-error - Colour of error messages.
 * @cssprop --ai-stream-chat-font - Font family.
 * @cssprop --ai-stream-chat-mono-font - Font family of code and JSON.
 * @cssprop --ai-stream-chat-font-size - Base font size (default 15px).
 * @cssprop --ai-stream-chat-radius - Corner radius (default 12px).
 * @cssprop --ai-stream-chat-max-height - Height at which the transcript scrolls (default 32rem).
 * @cssprop --ai-stream-chat-panel-width - Launcher mode: the panel's width (default 25rem).
 * @cssprop --ai-stream-chat-panel-height - Launcher mode: the panel's height (default 40rem).
 * @cssprop --ai-stream-chat-launcher-offset - Launcher mode: distance of the button from the page's edges (default 1.25rem).
 * @cssprop --ai-stream-chat-z-index - Launcher mode: stacking level of the button and panel (default 2147483000).
 */
export class AiStreamChat extends LitElement {
  static override styles = aiStreamChatStyles;
  /**
   * The reactive properties, declared here rather than with decorators: the same
   * behaviour without the decorator helpers in the script-tag file.
   */
  static override properties: PropertyDeclarations = {
    endpoint: {},
    model: {},
    mode: {},
    system: {},
    placeholder: {},
    heading: {},
    label: {},
    temperature: { type: Number },
    maxTokens: { type: Number, attribute: 'max-tokens' },
    schema: { attribute: false },
    reasoning: {},
    usage: {},
    strings: { attribute: false },
    launcher: { type: Boolean },
    open: { type: Boolean, reflect: true },
    launcherPosition: { attribute: 'launcher-position' },
    greeting: {},
    suggestions: { converter: { fromAttribute: suggestionsFromAttribute } },
    assistantName: { attribute: 'assistant-name' },
    assistantAvatar: { attribute: 'assistant-avatar' },
    client: { attribute: false },
    persist: {},
    persistStorage: { attribute: 'persist-storage' },
  };

  /** The stream endpoint. @default '/api/chat/stream' */
  endpoint = '/api/chat/stream';
  /** A model alias the server allows; the server's default when empty. */
  model = '';
  /** `text` renders markdown; `json` asks for a JSON document and shows its value as it grows. */
  mode: 'text' | 'json' = 'text';
  /** A system prompt sent first with every request. */
  system = '';
  /** Placeholder of the message box; the locale's ("Ask something…") when empty. */
  placeholder = '';
  /** A title shown above the chat, and the chat's accessible name. */
  heading = '';
  /** Accessible name of the message box; the locale's ("Message") when empty. */
  label = '';
  /** Sampling temperature (the server caps it). */
  temperature: number | undefined;
  /** Longest answer in tokens (the server caps it). */
  maxTokens: number | undefined;
  /** JSON mode: a JSON Schema the answer must follow. */
  schema: Record<string, unknown> | undefined;
  /**
   * The model's reasoning, where the provider streams it: `show` opens the Thinking
   * section while the model thinks and collapses it when the answer starts; `collapsed`
   * keeps it closed (the reader may open it); `hidden` renders nothing.
   * @default 'show'
   */
  reasoning: ReasoningDisplay = 'show';
  /**
   * The usage line under answers (token counts and speed): `show` for developers,
   * `hidden` for visitors, who rarely want token counts. @default 'show'
   */
  usage: 'show' | 'hidden' = 'show';
  /**
   * The site's own words for any built-in string (see `strings.ts` for the keys); they win
   * over the locale picked by `lang` (the element's, else the page's, else the browser's).
   */
  strings: LocaleStrings | undefined;
  /**
   * Launcher mode: a round button in a page corner opens the chat as a panel above it
   * (full screen on phone-sized viewports). Without it, the chat sits in the page.
   */
  launcher = false;
  /** Launcher mode: whether the panel is open (the visitor's button, Esc, or the page). */
  open = false;
  /** Launcher mode: the page corner of the button. @default 'bottom-end' */
  launcherPosition: LauncherPosition = 'bottom-end';
  /** A greeting shown, as the assistant's first message, while the conversation is empty. Text, never markup. */
  greeting = '';
  /**
   * Suggested prompts shown while the conversation is empty, as buttons that send them.
   * The attribute separates them with `|`. Text, never markup.
   */
  suggestions: string[] = [];
  /** The assistant's name, shown above its messages. */
  assistantName = '';
  /**
   * The URL of the assistant's avatar (set by the site, never by model output), shown
   * beside its name. Under a CSP, its origin needs `img-src`.
   */
  assistantAvatar = '';
  /** A client to use instead of one built from `endpoint` (custom headers, fetch). */
  client: StreamClient | undefined;
  /**
   * Keeps the conversation in Web Storage under this key (`ai-stream-chat:<key>`), so it
   * outlives a reload and the visit; restored at the first render. Empty: nothing lasts,
   * except an answer in progress, kept in `sessionStorage` for a reload.
   */
  persist = '';
  /** Where `persist` keeps the conversation: `local` (until New chat or 30 days) or `session` (this tab). @default 'local' */
  persistStorage: 'local' | 'session' = 'local';

  #history: ChatMessage[] = [];
  // The array last given to the `messages` setter.
  #assigned: readonly ChatMessage[] | undefined;
  readonly #answers = new WeakMap<ChatMessage, Answer>();
  #live: AnswerView | undefined;
  #defaultClient: StreamClient | undefined;
  // Its flips show or hide "Jump to latest".
  readonly #follower = new ScrollFollower(() => this.requestUpdate());
  // Whether focus was in the panel when it closed: then it goes back to the launcher button.
  #focusInPanel = false;
  // Launcher mode's button and styles, a lazy chunk: undefined while loading, null if it cannot load.
  #shell: LauncherShell | null | undefined;
  #chunker = new SentenceChunker();
  readonly #i18n = new I18nController(this, () => this.strings);
  readonly #announcer = document.createElement('div');
  readonly #stream = new StreamController(this, {
    client: () => this.#client(),
    onFrame: (delta) => this.#onFrame(delta),
    // Once per answer, never per token: the reasoning itself stays out of the live region.
    onThinking: () => {
      if (this.reasoning !== 'hidden') this.#announce(this.#i18n.current.strings.thinking);
    },
    onSettled: (outcome) => this.#onSettled(outcome),
  });
  // The persistence chunk's controller, once loaded (see #needPersistence); until then what it must do waits in #pending.
  #persistence: ChatPersistence | undefined;
  #persistenceLoading: Promise<void> | undefined;
  #pending: ((persistence: ChatPersistence) => void)[] = [];
  // The id, else the place, at the first update: the reload record's key must not change when the element moves.
  #name: string | undefined;
  // The translation the code blocks were last labelled in: a new one relabels them all.
  #labelled: Translation | undefined;

  constructor() {
    super();
    this.#announcer.className = 'visually-hidden';
    this.#announcer.setAttribute('aria-live', 'polite');
    this.#announcer.setAttribute('aria-relevant', 'additions');
    this.addEventListener('keydown', (event) => {
      if (this.launcher && this.open) this.#shell?.wrapFocus(event, this.renderRoot as ShadowRoot);
      if (event.key !== 'Escape') return;
      // In launcher mode Esc closes the panel, like any popup, and never cancels: an
      // answer goes on behind a closed panel (Cancel is a button).
      if (this.launcher ? this.open : this.#stream.busy) {
        event.preventDefault();
        if (this.launcher) this.open = false;
        else this.cancel();
      }
    });
  }

  /**
   * The conversation (system prompt excluded). Setting it replaces the conversation and
   * stops any answer; setting the same array as last time does nothing.
   */
  get messages(): ChatMessage[] {
    // An answer that failed before any text is shown, but is not a message.
    return this.#history.filter((message) => message.role !== 'assistant' || message.content).map((message) => ({ ...message }));
  }
  set messages(value: readonly ChatMessage[]) {
    // The same array again is no new conversation: React wrappers (@lit/react) set every
    // prop on every render, and `messages={saved}` must not wipe the turns asked since.
    if (value === this.#assigned) return;
    this.#assigned = value;
    this.#stream.reset();
    this.#live = undefined;
    this.#history = value.map((message) => ({ role: message.role, content: message.content }));
    this.#persisted((persistence) => persistence.save());
    this.requestUpdate();
  }

  /** True while an answer is being requested or streamed. */
  get streaming(): boolean {
    return this.#stream.busy;
  }

  /** Sends a user message and streams the answer (cancelling one in progress). */
  async send(text: string): Promise<void> {
    const content = text.trim();
    if (!content) return;
    this.#stream.cancel();
    this.#commitLive();
    this.#history = [...this.#history, { role: 'user', content }];
    this.#persisted((persistence) => persistence.save());
    this.#follower.jumpToEnd();
    // The answer is kept for a reload while it streams: the persistence chunk must be in first.
    await this.#needPersistence();
    await this.#ask();
  }

  /** After an error or a cancel: asks again for the same turn, replacing the failed answer. */
  async retry(): Promise<void> {
    if (!this.#live || this.#stream.busy) return;
    this.#live = undefined;
    await this.#ask();
  }

  /** Asks again for the last answer, replacing it (when the last message is a finished answer and nothing streams). */
  async regenerate(): Promise<void> {
    const last = this.#history.at(-1);
    if (this.#stream.busy || this.#live || last?.role !== 'assistant') return;
    this.#history = this.#history.slice(0, -1);
    this.renderRoot.querySelector('textarea')?.focus();
    await this.#ask();
  }

  /** Stops the answer in progress; its text so far stays, with a Retry button. */
  cancel(): void {
    this.#stream.cancel();
  }

  /** Starts a new chat: stops any answer and forgets the conversation, also the one kept by `persist`. */
  clear(): void {
    this.#stream.reset();
    this.#live = undefined;
    this.#history = [];
    this.#persisted((persistence) => persistence.clear());
    this.requestUpdate();
  }

  override render(): TemplateResult {
    const launcher = this.launcher
      ? { open: this.open, position: this.launcherPosition, label: this.heading || this.#i18n.current.strings.chat, onToggle: this.#onToggle }
      : undefined;
    // The direction on the outer box too: the launcher's corner (bottom-end) follows it.
    return renderLauncher(launcher, this.#shell?.button, this.#renderChat(), this.#i18n.dir);
  }

  /**
   * Launcher mode and persistence wait for their chunks: `updateComplete` resolves once
   * the button is on screen and a kept conversation is shown (or the chunk failed).
   */
  protected override async getUpdateComplete(): Promise<boolean> {
    const done = await super.getUpdateComplete();
    const loading = this.launcher && this.#shell === undefined ? launcherLoaded() : this.#persistence ? undefined : this.#persistenceLoading;
    if (!loading) return done;
    await loading;
    return super.getUpdateComplete();
  }

  /**
   * Loads the persistence chunk (once), adds its controller, and runs what waited for it
   * in order; the controller restores a kept conversation at the update that follows.
   */
  #needPersistence(): Promise<void> {
    this.#persistenceLoading ??= loadPersistence().then((chunk) => {
      if (!chunk) return;
      const persistence = new chunk.ChatPersistence(this, {
        snapshot: () => ({ messages: this.#recorded(), live: this.#stream.position }),
        restore: (record) => this.#restore(record),
        liveKey: liveRecordKey(this.#name ?? ''),
      });
      this.#persistence = persistence;
      for (const action of this.#pending.splice(0)) action(persistence);
      this.requestUpdate();
    });
    return this.#persistenceLoading;
  }

  /**
   * Runs `action` on the persistence controller now, or once loaded (also when `persist`
   * is set before the first update: `messages` set then still wins over what is kept);
   * nothing when nothing is to be kept.
   */
  #persisted(action: (persistence: ChatPersistence) => void): void {
    if (this.#persistence) action(this.#persistence);
    else if (this.#persistenceLoading || this.persist) {
      this.#pending.push(action);
      void this.#needPersistence();
    }
  }

  #renderChat(): TemplateResult {
    const busy = this.#stream.busy;
    const t = this.#i18n.current;
    const { launcher } = this;
    const title = this.heading || (launcher ? t.strings.chat : '');
    const shown = this.#history.filter((message) => message.role !== 'system');
    return html`<section
      class="chat ${launcher ? 'panel' : ''}"
      part="chat"
      dir=${this.#i18n.dir ?? nothing}
      id="panel"
      role=${launcher ? 'dialog' : nothing}
      aria-modal=${launcher && this.open && this.#shell?.modal(this) ? 'true' : nothing}
      ?hidden=${launcher && this.#shell !== null && !(this.open && this.#shell)}
      aria-labelledby=${title ? 'heading' : nothing}
      aria-label=${title ? nothing : t.strings.chat}
    >
      ${title
        ? html`<div class="heading" part="heading"><span id="heading">${title}</span>${launcher
            ? html`<button class="secondary close" part="close-button" type="button" aria-label=${t.strings.closeChat} @click=${this.#onToggle}>×</button>`
            : nothing}</div>`
        : nothing}
      <div
        class="transcript"
        part="transcript"
        role="log"
        aria-live="off"
        aria-label=${t.strings.conversation}
        tabindex="0"
        @click=${this.#onTranscriptClick}
      >
        ${shown.length === 0 && !this.#live ? renderStartScreen(this.greeting, this.suggestions, this.#sender(), this.#onSuggestion, t.strings.suggestions) : nothing}
        ${
          // No keyed repeat: the list only grows or is replaced whole, and the answer
          // nodes are cached per message anyway (repeat would cost ~1 KB gzip).
          shown.map((message, index) => this.#renderMessage(message, index, shown))
        }
        ${this.#live
          ? renderLiveAnswer(
              t,
              this.#live.node,
              this.#stream,
              this.#onRetryClick,
              this.usage !== 'hidden',
              this.#renderReasoning(this.#stream.reasoning, this.reasoning === 'show' && !this.#stream.text, this.#stream.busy && !this.#stream.text),
              this.#sender(),
            )
          : nothing}
      </div>
      <div class="jump">
        ${busy && !this.#follower.atBottom
          ? html`<button part="jump-button" type="button" @click=${this.#onJump}>${t.strings.jumpToLatest} <span aria-hidden="true">↓</span></button>`
          : nothing}
      </div>
      ${this.#announcer}
      <form part="form" @submit=${this.#onSubmit}>
        <textarea
          part="input"
          rows="2"
          aria-label=${this.label || t.strings.messageLabel}
          placeholder=${this.placeholder || t.strings.placeholder}
          @keydown=${this.#onKeydown}
        ></textarea>
        ${
          // One button that turns into Cancel, so focus stays on it across the switch; it
          // keeps its send-button part (page styles hold) and adds cancel-button while busy.
          html`<button
            part=${busy ? 'send-button cancel-button' : 'send-button'}
            data-state=${busy ? 'streaming' : 'idle'}
            type="button"
            @click=${this.#onButtonClick}
          >
            ${busy ? t.strings.cancel : t.strings.send}
          </button>`
        }
        ${this.#history.length || this.#live
          ? html`<button class="secondary" part="new-chat-button" type="button" @click=${this.#onNewChat}>${t.strings.newChat}</button>`
          : nothing}
      </form>
    </section>`;
  }

  protected override firstUpdated(): void {
    this.#follower.observe(this.renderRoot.querySelector<HTMLElement>('.transcript') ?? undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Named once, while connected: the element's place must not change its key when it leaves.
    this.#name ??= this.id || String([...document.querySelectorAll<HTMLElement>('ai-stream-chat')].indexOf(this));
    if (!this.#persistenceLoading && (this.persist || hasRecord(liveRecordKey(this.#name)))) void this.#needPersistence();
    if (this.launcher && this.#shell === undefined) {
      // Until the chunk is in, the chat stays hidden (it would show unstyled in the page's flow).
      this.#shell = launcherShell(() => this.requestUpdate());
      if (this.#shell) adoptStyles(this.renderRoot as ShadowRoot, [...AiStreamChat.elementStyles, this.#shell.styles]);
    }
    // Judged before the panel hides: a hidden element loses focus.
    if (changed.has('open') && !this.open) this.#focusInPanel = this.matches(':focus-within');
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('endpoint')) this.#defaultClient = undefined;
    this.#follower.follow();
    const t = this.#i18n.current;
    if (t !== this.#labelled) {
      this.#labelled = t;
      labelCodeBlocks(this.renderRoot, t.strings);
    }
    // Not on the first render: a page that starts with the panel open keeps its focus.
    if (this.launcher && changed.has('open') && changed.get('open') !== undefined) {
      if (this.open) {
        // A hidden transcript loses its scroll position: show the latest, as a chat app does.
        this.#follower.jumpToEnd();
        this.renderRoot.querySelector('textarea')?.focus();
      } else if (this.#focusInPanel) this.renderRoot.querySelector<HTMLElement>('.launcher-button')?.focus();
      this.dispatchEvent(new AiStreamToggleEvent(this.open));
    }
  }

  /** The assistant's name and avatar, above each of its messages. */
  #sender(): ReturnType<typeof renderSender> {
    return renderSender(this.assistantName, this.assistantAvatar);
  }

  readonly #onToggle = (): void => {
    this.open = !this.open;
  };

  readonly #onSuggestion = (prompt: string): void => {
    // The button goes with the start screen: focus waits in the message box for the next question.
    this.renderRoot.querySelector('textarea')?.focus();
    void this.send(prompt);
  };

  readonly #onJump = (): void => {
    this.#follower.jumpToEnd();
    // The button goes once at the end: the reader goes on in the transcript.
    this.renderRoot.querySelector<HTMLElement>('.transcript')?.focus();
  };

  #renderMessage(message: ChatMessage, index: number, shown: readonly ChatMessage[]): TemplateResult {
    const idle = !this.#stream.busy && !this.#live;
    const last = index === shown.length - 1;
    if (message.role === 'user') {
      const lastQuestion = idle && shown.slice(index + 1).every((later) => later.role !== 'user');
      return renderUserMessage(this.#i18n.current, message.content, lastQuestion ? () => this.#edit(message) : undefined);
    }
    let answer = this.#answers.get(message);
    if (!answer) {
      answer = { view: AnswerView.of(message.content, this.mode, this.#i18n.current.strings), stats: undefined, reasoning: '', reasoningOpen: false };
      this.#answers.set(message, answer);
    }
    const { failure } = answer;
    const retry = failure === undefined ? undefined : { failure, onRetry: () => this.#retryTurn(message) };
    const actions = message.content
      ? { onCopy: () => void this.#copy(message.content), onRegenerate: idle && last ? () => void this.regenerate() : undefined }
      : undefined;
    const stats = this.usage === 'hidden' ? undefined : answer.stats;
    return renderAnswer(this.#i18n.current, answer.view.node, stats, this.#renderReasoning(answer.reasoning, answer.reasoningOpen, false), retry, actions, this.#sender());
  }

  /** Writes `text` to the clipboard and says so to screen readers. */
  async #copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.#announce(this.#i18n.current.strings.copied);
    } catch {
      // No clipboard access (permission refused, insecure page): nothing was copied, so nothing is announced.
    }
  }

  /** The last question back in the message box, with its answer, for the reader to change and send again. */
  #edit(question: ChatMessage): void {
    const input = this.renderRoot.querySelector('textarea');
    const index = this.#history.indexOf(question);
    if (!input || index === -1 || this.#stream.busy) return;
    this.#history = this.#history.slice(0, index);
    input.value = question.content;
    input.focus();
    this.requestUpdate();
  }

  readonly #onTranscriptClick = (event: Event): void => {
    const button = (event.target as Element).closest?.('.copy-code');
    const code = button ? AnswerView.codeOf(button) : undefined;
    if (code !== undefined) void this.#copy(code);
  };

  /** Retry on a failed turn that is no longer the last: asks its question again, as the newest turn. */
  #retryTurn(answer: ChatMessage): void {
    const index = this.#history.indexOf(answer);
    const question = this.#history.slice(0, index).findLast((message) => message.role === 'user');
    this.renderRoot.querySelector('textarea')?.focus();
    if (question && !this.#stream.busy) void this.send(question.content);
  }

  #renderReasoning(text: string, open: boolean, thinking: boolean): ReturnType<typeof renderReasoning> {
    return this.reasoning === 'hidden' ? nothing : renderReasoning(this.#i18n.current, text, open, thinking);
  }

  async #ask(): Promise<void> {
    this.#live = new AnswerView();
    this.#chunker = new SentenceChunker();
    if (this.mode === 'json') this.#live.showJson(undefined);
    await this.#stream.start(this.#request());
  }

  #request(): StreamRequest {
    const system: ChatMessage[] = this.system ? [{ role: 'system', content: this.system }] : [];
    return {
      messages: [...system, ...requestHistory(this.#history)],
      mode: this.mode,
      ...(this.model ? { model: this.model } : {}),
      ...(this.mode === 'json' && this.schema ? { schema: this.schema } : {}),
      ...(this.temperature === undefined ? {} : { temperature: this.temperature }),
      ...(this.maxTokens === undefined ? {} : { maxTokens: this.maxTokens }),
    };
  }

  #client(): StreamClient {
    if (this.client) return this.client;
    this.#defaultClient ??= new StreamClient({ endpoint: this.endpoint });
    return this.#defaultClient;
  }

  #onFrame(delta: string): void {
    const live = this.#live;
    if (!live) return;
    if (this.mode === 'json') live.showJson(this.#stream.json);
    else {
      live.write(delta);
      this.#announce(this.#chunker.push(delta));
    }
  }

  #onSettled(outcome: StreamOutcome): void {
    const live = this.#live;
    if (!live) return;
    const { strings } = this.#i18n.current;
    if (this.mode === 'json') live.showJson(this.#stream.json);
    else live.end(strings);
    this.#announce(this.mode === 'json' ? (outcome === 'done' ? strings.answerReady : '') : this.#chunker.flush());
    if (outcome === 'cancelled') this.#announce(strings.cancelled);
    if (outcome === 'done') this.#commitLive();
    this.#persisted((persistence) => persistence.save());
  }

  /** The conversation as kept in storage: failed answers with their reason, the failed answer on screen too. */
  #recorded(): RecordedMessage[] {
    const kept: RecordedMessage[] = this.#history.map((message) => {
      const failure = this.#answers.get(message)?.failure;
      return failure === undefined ? { ...message } : { ...message, failure };
    });
    const { status, text, error } = this.#stream;
    if (this.#live && (status === 'error' || status === 'cancelled')) {
      kept.push({ role: 'assistant', content: text, failure: status === 'error' ? errorText(error, this.#i18n.current.strings) : this.#i18n.current.strings.cancelled });
    }
    return kept;
  }

  /** Shows a kept conversation, and takes up the answer that was streaming (or shows it interrupted, with Retry). */
  #restore({ messages, live }: ChatRecord): void {
    if (this.#history.length || this.#live) return;
    this.#history = messages.map(({ role, content, failure }) => {
      const message: ChatMessage = { role, content };
      if (failure !== undefined) {
        const view = AnswerView.of(content, this.mode, this.#i18n.current.strings);
        this.#answers.set(message, { view, stats: undefined, reasoning: '', reasoningOpen: false, failure });
      }
      return message;
    });
    if (live) {
      this.#live = new AnswerView();
      this.#chunker = new SentenceChunker();
      if (this.mode === 'json') this.#live.showJson(undefined);
      void this.#stream.resume(live, this.mode === 'json');
    }
  }

  /**
   * Moves the answer on screen into the conversation, also when it failed or was
   * cancelled (with or without text): the reader keeps seeing it, with its reason and
   * Retry. An empty one is left out of `messages` and of the requests (requestHistory).
   */
  #commitLive(): void {
    const live = this.#live;
    this.#live = undefined;
    const { text, status, error } = this.#stream;
    const { strings } = this.#i18n.current;
    const failure = status === 'error' ? errorText(error, strings) : status === 'cancelled' ? strings.cancelled : undefined;
    if (!live || (!text && failure === undefined)) return;
    const message: ChatMessage = { role: 'assistant', content: text };
    // The live answer is the transcript's last child; its Thinking section is drawn anew in the conversation.
    const reasoningOpen = this.renderRoot.querySelector('.transcript')?.lastElementChild?.querySelector('details')?.open ?? false;
    const answer: Answer = { view: live, stats: this.#stream.stats, reasoning: this.#stream.reasoning, reasoningOpen };
    if (failure !== undefined) answer.failure = failure;
    this.#answers.set(message, answer);
    this.#history = [...this.#history, message];
    this.requestUpdate();
  }

  #announce(text: string): void {
    if (!text) return;
    const line = document.createElement('p');
    line.textContent = text;
    this.#announcer.append(line);
    while (this.#announcer.childElementCount > keptAnnouncements) this.#announcer.firstElementChild?.remove();
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.#submit();
  }

  #submit(): void {
    const input = this.renderRoot.querySelector('textarea');
    if (!input || this.#stream.busy || !input.value.trim()) return;
    const text = input.value;
    input.value = '';
    void this.send(text);
  }

  #onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.#submit();
  }

  #onButtonClick(): void {
    if (this.#stream.busy) this.cancel();
    else this.#submit();
  }

  readonly #onNewChat = (): void => {
    this.clear();
    this.renderRoot.querySelector('textarea')?.focus();
  };

  // A field, not a method: the template gets the same listener on every render.
  readonly #onRetryClick = (): void => {
    this.renderRoot.querySelector('textarea')?.focus();
    void this.retry();
  };
}
