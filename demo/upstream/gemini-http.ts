import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * Gemini's HTTP surface apart from the stream: Google's error body
 * `{"error":{"code","message","status"}}` (also sent as a stream event) and the errors
 * the local upstream answers with.
 */

/** The `error` object of a Google API error. */
export interface GeminiErrorObject {
  code: number;
  message: string;
  status: string;
  details?: readonly object[];
}

function googleStatus(code: number): string {
  switch (code) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 403:
      return 'PERMISSION_DENIED';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 500:
      return 'INTERNAL';
    default:
      return 'UNAVAILABLE';
  }
}

/** An error of the given HTTP code, with Google's status name for it. */
export function geminiError(code: number, message: string): GeminiErrorObject {
  return { code, message, status: googleStatus(code) };
}

/** The errors the route sends, by cause. */
export const geminiErrors = {
  invalid: (message: string): GeminiErrorObject => geminiError(400, message),
  missingKey: (): GeminiErrorObject =>
    geminiError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."),
  keyInUrl: (): GeminiErrorObject =>
    geminiError(400, 'API key sent in the URL query (?key=): the local upstream refuses it, as a strict proxy would, since URLs end up in logs. Send it in the x-goog-api-key header.'),
  rateLimited: (): GeminiErrorObject => ({
    ...geminiError(429, 'You exceeded your current quota, please check your plan and billing details (local upstream fault "429").'),
    details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' }],
  }),
  internal: (detail: string): GeminiErrorObject =>
    geminiError(500, `An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting (${detail})`),
  unavailable: (): GeminiErrorObject => geminiError(503, 'The model is overloaded. Please try again later.'),
} as const;

/** The headers on every answer (beside content-type). */
export function geminiHeaders(contentType: string, startedAt: number): OutgoingHttpHeaders {
  return {
    'content-type': contentType,
    vary: 'Origin, X-Origin, Referer',
    server: 'scaffolding on HTTPServer2',
    'server-timing': `gfet4t7; dur=${Math.round(performance.now() - startedAt)}`,
    'x-content-type-options': 'nosniff',
  };
}

/** Sends an error answer before any byte of a stream. */
export function sendGeminiError(res: ServerResponse, error: GeminiErrorObject, startedAt: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(error.code, geminiHeaders('application/json; charset=UTF-8', startedAt));
  res.end(`${JSON.stringify({ error }, null, 2)}\n`);
}
