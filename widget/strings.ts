/**
 * The element's built-in strings, in English, in one table: every label, status text,
 * announcement and error text the element shows or says comes from here. A locale
 * (`widget/locales/*.ts`, registered with `registerLocale`) gives the same keys in its
 * language, and a site's `strings` property overrides any of them (see `i18n.ts`).
 * Functions take what varies, already formatted for the locale, so a locale can order
 * and inflect it its own way; counts come with their `Intl.PluralRules` category.
 */
export const strings = {
  send: 'Send',
  cancel: 'Cancel',
  retry: 'Retry',
  cancelled: 'Cancelled.',
  retrying: 'Retrying…',
  /** A wait of a second or more before the next attempt; `reason` is the server's (English) words. */
  retryingIn: (seconds: string, reason: string): string => `${reason} Retrying in ${seconds} s…`,
  copy: 'Copy',
  copyAnswer: 'Copy answer',
  copyCode: 'Copy code',
  /** A finished code block's name: a region the keyboard can reach and scroll. */
  code: 'Code',
  copied: 'Copied',
  regenerate: 'Regenerate',
  edit: 'Edit',
  editLast: 'Edit your last message',
  /** The chat's name when it has no `heading` (its region, and in launcher mode its button). */
  chat: 'Chat',
  closeChat: 'Close chat',
  suggestions: 'Suggestions',
  jumpToLatest: 'Jump to latest',
  /** The transcript's accessible name. */
  conversation: 'Conversation',
  /** The message box's placeholder, unless the `placeholder` attribute sets one. */
  placeholder: 'Ask something…',
  /** The message box's accessible name, unless the `label` attribute sets one. */
  messageLabel: 'Message',
  /** The reasoning section's summary while the model thinks; also announced once. */
  thinking: 'Thinking…',
  /** The reasoning section's summary once the answer started. */
  thoughts: 'Thoughts',
  /** Beside the typing indicator, for screen readers. */
  writing: 'The assistant is writing…',
  /** Announced when a JSON answer is complete. */
  answerReady: 'The answer is ready.',
  /** The usage line's prompt count. */
  promptTokens: (count: string, _plural: Intl.LDMLPluralRule): string => `${count} prompt`,
  /** Clears the conversation (and the one `persist` kept) to start over. */
  newChat: 'New chat',
  /** The usage line's completion count, singular or plural. */
  completionTokens: (count: string, plural: Intl.LDMLPluralRule): string => `${count} completion token${plural === 'one' ? '' : 's'}`,
  /** The usage line's speed. */
  tokensPerSecond: (speed: string): string => `${speed} tokens/s`,
  /** `network_error`: the request never got an answer. */
  networkError: 'Could not reach the server.',
  /** `http_error`: an HTTP error without the protocol's JSON body. */
  httpError: (status: string): string => `The server answered ${status}.`,
  /** `stream_interrupted`: the connection dropped and the stream could not be resumed. */
  streamInterrupted: 'The connection dropped before the answer was complete.',
  /** `protocol_error`: the server sent something that is not the protocol. */
  protocolError: 'The server did not answer with an event stream.',
  /** `internal_error`: something failed while reading the answer. */
  internalError: 'Something went wrong while reading the answer.',
  /** A cross-origin endpoint that refused this page's origin (see StreamClient). */
  originNotAllowed: "The chat server does not accept requests from this page's origin.",
  /**
   * Any other error the server named (`code`, see `docs/protocol.md`): its `message` is
   * written in English to be shown, so English shows it as is; a locale maps the codes
   * it knows to its own words.
   */
  serverError: (_code: string, message: string): string => message,
};

/** The shape of the table: what a locale or a site's `strings` gives (any subset of it). */
export type Strings = typeof strings;
