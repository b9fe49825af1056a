import { registerLocale, type LocaleStrings } from '../i18n.js';

const server: Readonly<Record<string, string>> = {
  rate_limited: 'Zu viele Anfragen. Bitte gleich noch einmal versuchen.',
  upstream_rate_limited: 'Zu viele Anfragen. Bitte gleich noch einmal versuchen.',
  context_length_exceeded: 'Die Unterhaltung ist zu lang für das Modell.',
  payload_too_large: 'Die Unterhaltung ist zu lang für das Modell.',
  upstream_unavailable: 'Der Assistent ist gerade nicht erreichbar. Bitte später erneut versuchen.',
  upstream_timeout: 'Der Assistent ist gerade nicht erreichbar. Bitte später erneut versuchen.',
  upstream_error: 'Der Assistent ist gerade nicht erreichbar. Bitte später erneut versuchen.',
};

/** German (`de`): importing this module registers it for every `<ai-stream-chat>` whose language is German. */
const de = {
  send: 'Senden',
  cancel: 'Abbrechen',
  retry: 'Erneut versuchen',
  cancelled: 'Abgebrochen.',
  retrying: 'Neuer Versuch …',
  retryingIn: (seconds) => `Neuer Versuch in ${seconds} s …`,
  copy: 'Kopieren',
  copyAnswer: 'Antwort kopieren',
  copyCode: 'Code kopieren',
  code: 'Code',
  copied: 'Kopiert',
  regenerate: 'Neu generieren',
  edit: 'Bearbeiten',
  editLast: 'Letzte Nachricht bearbeiten',
  chat: 'Chat',
  closeChat: 'Chat schließen',
  suggestions: 'Vorschläge',
  jumpToLatest: 'Zum Neuesten',
  newChat: 'Neuer Chat',
  conversation: 'Unterhaltung',
  placeholder: 'Nachricht eingeben …',
  messageLabel: 'Nachricht',
  thinking: 'Denkt nach …',
  thoughts: 'Gedanken',
  writing: 'Der Assistent schreibt …',
  answerReady: 'Die Antwort ist fertig.',
  promptTokens: (count) => `${count} Prompt`,
  completionTokens: (count, plural) => `${count} ${plural === 'one' ? 'Antwort-Token' : 'Antwort-Tokens'}`,
  tokensPerSecond: (speed) => `${speed} Tokens/s`,
  networkError: 'Der Server ist nicht erreichbar.',
  httpError: (status) => `Der Server antwortete mit ${status}.`,
  streamInterrupted: 'Die Verbindung brach ab, bevor die Antwort vollständig war.',
  protocolError: 'Der Server hat keinen Ereignisstrom gesendet.',
  internalError: 'Beim Lesen der Antwort ist etwas schiefgegangen.',
  originNotAllowed: 'Der Chat-Server nimmt keine Anfragen von dieser Seite an.',
  serverError: (code) => server[code] ?? `Die Anfrage ist fehlgeschlagen (${code}).`,
} satisfies LocaleStrings;

registerLocale('de', de);
export default de;
