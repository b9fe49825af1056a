import { registerLocale, type LocaleStrings } from '../i18n.js';

const server: Readonly<Record<string, string>> = {
  rate_limited: 'Demasiadas solicitudes. Vuelve a intentarlo en un momento.',
  upstream_rate_limited: 'Demasiadas solicitudes. Vuelve a intentarlo en un momento.',
  context_length_exceeded: 'La conversación es demasiado larga para el modelo.',
  payload_too_large: 'La conversación es demasiado larga para el modelo.',
  upstream_unavailable: 'El asistente no está disponible ahora. Inténtalo más tarde.',
  upstream_timeout: 'El asistente no está disponible ahora. Inténtalo más tarde.',
  upstream_error: 'El asistente no está disponible ahora. Inténtalo más tarde.',
};

/** Spanish (`es`): importing this module registers it for every `<ai-stream-chat>` whose language is Spanish. */
const es = {
  send: 'Enviar',
  cancel: 'Cancelar',
  retry: 'Reintentar',
  cancelled: 'Cancelado.',
  retrying: 'Reintentando…',
  retryingIn: (seconds) => `Reintentando en ${seconds} s…`,
  copy: 'Copiar',
  copyAnswer: 'Copiar respuesta',
  copyCode: 'Copiar código',
  code: 'Código',
  copied: 'Copiado',
  regenerate: 'Regenerar',
  edit: 'Editar',
  editLast: 'Editar tu último mensaje',
  chat: 'Chat',
  closeChat: 'Cerrar el chat',
  suggestions: 'Sugerencias',
  jumpToLatest: 'Ir a lo más reciente',
  newChat: 'Nuevo chat',
  conversation: 'Conversación',
  placeholder: 'Pregunta algo…',
  messageLabel: 'Mensaje',
  thinking: 'Pensando…',
  thoughts: 'Razonamiento',
  writing: 'El asistente está escribiendo…',
  answerReady: 'La respuesta está lista.',
  promptTokens: (count, plural) => `${count} ${plural === 'one' ? 'token' : 'tokens'} de entrada`,
  completionTokens: (count, plural) => `${count} ${plural === 'one' ? 'token' : 'tokens'} de respuesta`,
  tokensPerSecond: (speed) => `${speed} tokens/s`,
  networkError: 'No se pudo conectar con el servidor.',
  httpError: (status) => `El servidor respondió ${status}.`,
  streamInterrupted: 'La conexión se cortó antes de completar la respuesta.',
  protocolError: 'El servidor no respondió con un flujo de eventos.',
  internalError: 'Algo salió mal al leer la respuesta.',
  originNotAllowed: 'El servidor del chat no acepta solicitudes desde esta página.',
  serverError: (code) => server[code] ?? `La solicitud falló (${code}).`,
} satisfies LocaleStrings;

registerLocale('es', es);
export default es;
