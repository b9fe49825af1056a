/**
 * The element's built-in strings, in one table: the later translation work extends this
 * table (one object per locale) instead of hunting strings through the templates.
 * Functions take what varies, so a locale can order and inflect it its own way.
 */
export const strings = {
  send: 'Send',
  cancel: 'Cancel',
  retry: 'Retry',
  cancelled: 'Cancelled.',
  retrying: 'Retrying…',
  copy: 'Copy',
  copyAnswer: 'Copy answer',
  copyCode: 'Copy code',
  copied: 'Copied',
  regenerate: 'Regenerate',
  edit: 'Edit',
  editLast: 'Edit your last message',
  /** Clears the conversation (and the one `persist` kept) to start over. */
  newChat: 'New chat',
  /** The usage line's completion count, singular or plural. */
  completionTokens: (count: number, formatted: string): string => `${formatted} completion token${count === 1 ? '' : 's'}`,
  /** A cross-origin endpoint that refused this page's origin (see StreamClient). */
  originNotAllowed: "The chat server does not accept requests from this page's origin.",
};
