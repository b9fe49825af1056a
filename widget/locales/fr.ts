import { registerLocale, type LocaleStrings } from '../i18n.js';

const server: Readonly<Record<string, string>> = {
  rate_limited: 'Trop de requêtes. Réessayez dans un instant.',
  upstream_rate_limited: 'Trop de requêtes. Réessayez dans un instant.',
  context_length_exceeded: 'La conversation est trop longue pour le modèle.',
  payload_too_large: 'La conversation est trop longue pour le modèle.',
  upstream_unavailable: 'L’assistant est indisponible pour le moment. Réessayez plus tard.',
  upstream_timeout: 'L’assistant est indisponible pour le moment. Réessayez plus tard.',
  upstream_error: 'L’assistant est indisponible pour le moment. Réessayez plus tard.',
};

/** French (`fr`): importing this module registers it for every `<ai-stream-chat>` whose language is French. */
const fr = {
  send: 'Envoyer',
  cancel: 'Annuler',
  retry: 'Réessayer',
  cancelled: 'Annulé.',
  retrying: 'Nouvelle tentative…',
  retryingIn: (seconds) => `Nouvelle tentative dans ${seconds} s…`,
  copy: 'Copier',
  copyAnswer: 'Copier la réponse',
  copyCode: 'Copier le code',
  code: 'Code',
  copied: 'Copié',
  regenerate: 'Régénérer',
  edit: 'Modifier',
  editLast: 'Modifier votre dernier message',
  chat: 'Discussion',
  closeChat: 'Fermer la discussion',
  suggestions: 'Suggestions',
  jumpToLatest: 'Aller au plus récent',
  newChat: 'Nouvelle discussion',
  conversation: 'Conversation',
  placeholder: 'Posez une question…',
  messageLabel: 'Message',
  thinking: 'Réflexion…',
  thoughts: 'Réflexion',
  writing: 'L’assistant écrit…',
  answerReady: 'La réponse est prête.',
  // French counts 0 and 1 as singular: Intl.PluralRules says `one` for both.
  promptTokens: (count, plural) => `${count} jeton${plural === 'one' ? '' : 's'} de requête`,
  completionTokens: (count, plural) => `${count} jeton${plural === 'one' ? '' : 's'} de réponse`,
  tokensPerSecond: (speed) => `${speed} jetons/s`,
  networkError: 'Impossible de joindre le serveur.',
  httpError: (status) => `Le serveur a répondu ${status}.`,
  streamInterrupted: 'La connexion a été interrompue avant la fin de la réponse.',
  protocolError: 'Le serveur n’a pas répondu par un flux d’événements.',
  internalError: 'Une erreur s’est produite pendant la lecture de la réponse.',
  originNotAllowed: 'Le serveur de discussion n’accepte pas les requêtes de cette page.',
  serverError: (code) => server[code] ?? `La requête a échoué (${code}).`,
} satisfies LocaleStrings;

registerLocale('fr', fr);
export default fr;
