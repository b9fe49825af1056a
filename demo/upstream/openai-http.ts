import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/**
 * OpenAI's HTTP surface apart from the stream itself: response headers, the error
 * body shape `{"error":{"message","type","param","code"}}` and the errors the local
 * upstream answers with. Messages follow the real API's wording.
 */

/** The `error` object of an OpenAI error body (also sent mid-stream). */
export interface OpenAIErrorObject {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** A complete error answer: status, body, extra headers. */
export interface OpenAIErrorResponse {
  status: number;
  error: OpenAIErrorObject;
  headers?: OutgoingHttpHeaders;
}

function invalid(message: string, param: string | null = null, code: string | null = null): OpenAIErrorResponse {
  return { status: 400, error: { message, type: 'invalid_request_error', param, code } };
}

/** The errors the local upstream sends, by cause. */
export const openAIErrors = {
  missingKey: (): OpenAIErrorResponse => ({
    status: 401,
    error: {
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  }),
  invalidUrl: (method: string, path: string): OpenAIErrorResponse => ({
    ...invalid(`Invalid URL (${method} ${path})`),
    status: 404,
  }),
  invalidJson: (): OpenAIErrorResponse =>
    invalid(
      "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    ),
  invalid,
  tooLarge: (limit: number): OpenAIErrorResponse => ({
    ...invalid(`Request body too large: the limit is ${limit} bytes.`),
    status: 413,
  }),
  // Real rate-limit errors say which limit was hit in `type` ("requests" or "tokens")
  // and always carry code "rate_limit_exceeded".
  rateLimited: (model: string): OpenAIErrorResponse => ({
    status: 429,
    error: {
      message: `Rate limit reached for ${model} in organization org-local-upstream on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 1s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    },
    headers: {
      'retry-after': '1',
      'retry-after-ms': '1000',
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1s',
    },
  }),
  serverError: (): OpenAIErrorResponse => ({
    status: 500,
    error: {
      message:
        'The server had an error while processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if the error persists.',
      type: 'server_error',
      param: null,
      code: null,
    },
  }),
} as const;

/** The headers OpenAI puts on every answer (beside content-type). */
export function openAIHeaders(requestId: string, startedAt: number, contentType: string): OutgoingHttpHeaders {
  return {
    'content-type': contentType,
    'x-request-id': requestId,
    'openai-version': '2020-10-01',
    'openai-organization': 'local-upstream',
    'openai-processing-ms': String(Math.round(performance.now() - startedAt)),
    'access-control-expose-headers': 'X-Request-ID',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': '9999',
    'x-ratelimit-reset-requests': '6ms',
  };
}

/** True when the request carries `Authorization: Bearer <something>`. */
export function hasBearerToken(req: IncomingMessage): boolean {
  return /^Bearer\s+\S+/i.test(req.headers.authorization ?? '');
}

/** Sends an OpenAI error answer (pretty-printed, as the real API does). */
export function sendOpenAIError(
  res: ServerResponse,
  response: OpenAIErrorResponse,
  requestId: string,
  startedAt: number,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(response.status, {
    ...openAIHeaders(requestId, startedAt, 'application/json; charset=utf-8'),
    ...response.headers,
  });
  res.end(`${JSON.stringify({ error: response.error }, null, 4)}\n`);
}
