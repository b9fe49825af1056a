import { request } from 'node:http';
import { connect } from 'node:net';

/** What {@link rawRequest} sends: anything a hostile client could, Host and path included. */
export interface RawRequest {
  /** `http://host:port` of the server to connect to. */
  origin: string;
  /** The request target exactly as sent, e.g. `/%ZZ` (fetch would normalise it). */
  path: string;
  method?: string;
  /** Sent as given; a `host` here replaces the one Node would derive from `origin`. */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** The whole response of a {@link rawRequest}. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP/1.1 request through node:http, which (unlike fetch) sends a forged `Host`
 * header and a request target that is not a valid URL, as an attacker's client would.
 */
export function rawRequest({ origin, path, method = 'GET', headers = {}, body }: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A connection that sends bytes exactly as given and collects what the server answers. */
export interface RawConnection {
  write(bytes: string | Uint8Array): void;
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>;
  /** Resolves with the text received so far once it contains `text`. */
  received(text: string): Promise<string>;
  destroy(): void;
}

/** Opens a TCP connection for requests that no HTTP client would send: no Host, a body that stops half way. */
export function rawConnection(origin: string): RawConnection {
  const { hostname, port } = new URL(origin);
  const socket = connect(Number(port), hostname);
  let text = '';
  const waiting: Array<{ text: string; resolve: (all: string) => void }> = [];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
    for (const w of waiting.filter((w) => text.includes(w.text))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(text);
    }
  });
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.on('error', () => {});
  return {
    write: (bytes) => void socket.write(bytes),
    closed,
    received: (wanted) => (text.includes(wanted) ? Promise.resolve(text) : new Promise((resolve) => waiting.push({ text: wanted, resolve }))),
    destroy: () => socket.destroy(),
  };
}
