import type { Strings } from './strings.js';
import type { StreamError } from './stream-error.js';

/**
 * What to show for a failed answer, in the element's language: the table's text for the
 * failures the client names itself (and the CORS refusal it recognises), the locale's
 * words for a server code (`serverError`, which in English is the server's message).
 */
export function errorText(error: StreamError | undefined, strings: Strings): string {
  if (!error) return strings.internalError;
  switch (error.code) {
    case 'network_error':
      return strings.networkError;
    case 'http_error':
      return strings.httpError(String(error.status ?? ''));
    case 'stream_interrupted':
      return strings.streamInterrupted;
    case 'protocol_error':
      return strings.protocolError;
    case 'internal_error':
      return strings.internalError;
    case 'origin_not_allowed':
      return strings.originNotAllowed;
    case 'cancelled':
      return strings.cancelled;
    default:
      return strings.serverError(error.code, error.message);
  }
}
