import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MalformedResponseError } from '../../api/_lib/upstream/transports/http1-response-parser.js';
import { socketTransport } from '../../api/_lib/upstream/transports/socket-transport.js';
import { idleConnections } from '../../api/_lib/upstream/transports/upstream-connections.js';
import type { UpstreamRequestInit } from '../../api/_lib/upstream/transports/upstream-transport.js';
import { collect, send } from '../support/upstream-call.js';

// What the socket transport does that node:http did for it: keep connections between
// requests, drop those it cannot trust, refuse a response framed wrongly, verify TLS.

const request: UpstreamRequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q":1}' };
const tlsDir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));

/**
 * A server that answers each request on a connection with `answer(n)` raw bytes, n
 * counting requests on all connections, and records connections and their closes.
 */
interface RawServer {
  url: string;
  origin: string;
  connections: Socket[];
  closed: () => number;
  nextClose: () => Promise<void>;
  close: () => Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const server of servers.splice(0)) {
    server.close();
  }
});

async function rawServer(answer: (requestNumber: number, socket: Socket) => void): Promise<RawServer> {
  const connections: Socket[] = [];
  let closed = 0;
  let waiters: Array<() => void> = [];
  let requests = 0;
  const server = createNetServer((socket) => {
    connections.push(socket);
    socket.on('close', () => {
      closed++;
      for (const wake of waiters.splice(0)) wake();
    });
    let seen = '';
    socket.on('data', (bytes) => {
      seen += bytes.toString('latin1');
      // One request per head + its Content-Length body (the transport always sends one).
      for (;;) {
        const headEnd = seen.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(seen.slice(0, headEnd))?.[1] ?? 0);
        if (seen.length < headEnd + 4 + length) return;
        seen = seen.slice(headEnd + 4 + length);
        answer(++requests, socket);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/v1/chat/completions`,
    origin,
    connections,
    closed: () => closed,
    nextClose: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: async () => {
      for (const socket of connections) socket.destroy();
      waiters = [];
    },
  };
}

const chunked = (headers: string, ...chunks: string[]): string =>
  `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n${headers}\r\n${chunks.map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`).join('')}0\r\n\r\n`;

async function answerText(url: string): Promise<string> {
  const response = await send(socketTransport, url, request).response;
  const body = collect(response.body);
  expect(await body.ended).toBe('end');
  return body.text();
}

describe('the socket transport', () => {
  it('reuses one connection for consecutive requests to an origin', async () => {
    const server = await rawServer((n, socket) => socket.write(chunked('', `data: answer ${n}\n\n`)));
    expect(await answerText(server.url)).toBe('data: answer 1\n\n');
    expect(idleConnections(server.origin)).toBe(1);
    expect(await answerText(server.url)).toBe('data: answer 2\n\n');
    expect(await answerText(server.url)).toBe('data: answer 3\n\n');
    expect(server.connections).toHaveLength(1);
    await server.close();
  });

  it('drops an idle connection the server closed, and opens a new one for the next request', async () => {
    const server = await rawServer((n, socket) => {
      socket.write(chunked('', `data: answer ${n}\n\n`));
      if (n === 1) socket.end();
    });
    const closed = server.nextClose();
    expect(await answerText(server.url)).toBe('data: answer 1\n\n');
    await closed;
    await vi.waitFor(() => expect(idleConnections(server.origin)).toBe(0));
    expect(await answerText(server.url)).toBe('data: answer 2\n\n');
    expect(server.connections).toHaveLength(2);
    await server.close();
  });

  it('keeps a connection no longer than a second less than the Keep-Alive timeout the server sent', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const server = await rawServer((n, socket) => socket.write(chunked('keep-alive: timeout=3, max=100\r\n', `data: ${n}\n\n`)));
    expect(await answerText(server.url)).toBe('data: 1\n\n');
    expect(idleConnections(server.origin)).toBe(1);
    vi.advanceTimersByTime(1_999);
    expect(idleConnections(server.origin)).toBe(1);
    const closed = server.nextClose();
    vi.advanceTimersByTime(1);
    expect(idleConnections(server.origin)).toBe(0);
    await closed;
    await server.close();
  });

  it.each([
    ['Connection: close', (n: number) => chunked('connection: close\r\n', `data: ${n}\n\n`)],
    ['a body read until the connection closes', (n: number) => `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata: ${n}\n\n`],
    ['bytes after the end of the response', (n: number) => `${chunked('', `data: ${n}\n\n`)}HTTP/1.1 200 OK\r\n`],
  ])('does not reuse a connection after %s', async (_name, answer) => {
    const server = await rawServer((n, socket) => {
      socket.write(answer(n));
      // The body read until close needs the close to end.
      if (!answer(n).includes('transfer-encoding')) socket.end();
    });
    expect(await answerText(server.url)).toBe('data: 1\n\n');
    expect(await answerText(server.url)).toBe('data: 2\n\n');
    expect(server.connections).toHaveLength(2);
    expect(idleConnections(server.origin)).toBe(0);
    await server.close();
  });

  it('closes an idle connection on which the server sends anything', async () => {
    const server = await rawServer((n, socket) => {
      socket.write(chunked('', `data: ${n}\n\n`));
      if (n === 1) setImmediate(() => socket.write('HTTP/1.1 200 OK\r\n\r\n'));
    });
    const closed = server.nextClose();
    expect(await answerText(server.url)).toBe('data: 1\n\n');
    await closed;
    expect(idleConnections(server.origin)).toBe(0);
    expect(await answerText(server.url)).toBe('data: 2\n\n');
    expect(server.connections).toHaveLength(2);
    await server.close();
  });

  it('reports a malformed head as a failure of the request, and closes the connection', async () => {
    const server = await rawServer((_n, socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-type text/event-stream\r\n\r\n'));
    const closed = server.nextClose();
    const { response, callbacks } = send(socketTransport, server.url, request);
    await expect(response).rejects.toBeInstanceOf(MalformedResponseError);
    await closed;
    expect(callbacks()).toBe(1);
    await server.close();
  });

  it('fails the body on a malformed chunk, after the text before it, and closes the connection', async () => {
    const server = await rawServer((_n, socket) => socket.write(`${chunked('', 'data: first\n\n').replace(/0\r\n\r\n$/, '')}zz\r\n`));
    const closed = server.nextClose();
    const body = collect((await send(socketTransport, server.url, request).response).body);
    expect(await body.ended).toBe('error');
    expect(body.failure()).toBeInstanceOf(MalformedResponseError);
    expect(body.text()).toBe('data: first\n\n');
    await closed;
    await server.close();
  });

  it('fails the body when the connection closes before the response ends', async () => {
    const server = await rawServer((_n, socket) => socket.end(`HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\ndata: cut`));
    const body = collect((await send(socketTransport, server.url, request).response).body);
    expect(await body.ended).toBe('error');
    expect(body.text()).toBe('data: cut');
    await server.close();
  });

  it('holds the text that came with the head until the body is started, then delivers it in order', async () => {
    const server = await rawServer((_n, socket) => socket.write(chunked('', 'data: one\n\n', 'data: two\n\n')));
    const response = await send(socketTransport, server.url, request).response;
    // A turn later: everything has arrived, nothing may have been lost or reordered.
    await new Promise((resolve) => setImmediate(resolve));
    const body = collect(response.body);
    expect(await body.ended).toBe('end');
    expect(body.text()).toBe('data: one\n\ndata: two\n\n');
    await server.close();
  });

  it('decodes a character split across network reads', async () => {
    const server = await rawServer((_n, socket) => {
      const text = Buffer.from('data: “wave” 🌊\n\n', 'utf8');
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${text.length}\r\n\r\n`);
      // Each byte its own write, a turn apart: reads end inside every character.
      let at = 0;
      const next = (): void => {
        if (at < text.length) socket.write(text.subarray(at, ++at), () => setTimeout(next, 1));
      };
      next();
    });
    expect(await answerText(server.url)).toBe('data: “wave” 🌊\n\n');
    await server.close();
  });

  it('refuses a header that would end its line, sending nothing', async () => {
    const server = await rawServer(() => undefined);
    expect(() => socketTransport(server.url, { ...request, headers: { authorization: 'Bearer x\r\nx-injected: 1' } }, { onResponse: () => undefined, onFailure: () => undefined })).toThrow(TypeError);
    expect(server.connections).toHaveLength(0);
    await server.close();
  });

  it('refuses a TLS server whose certificate it cannot verify', async () => {
    const server = createHttpsServer({ key: readFileSync(`${tlsDir}localhost-key.pem`), cert: readFileSync(`${tlsDir}localhost-cert.pem`) }, (_req, res) => res.end('never'));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { response } = send(socketTransport, `https://localhost:${(server.address() as AddressInfo).port}/v1/chat/completions`, request);
    await expect(response).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/) });
  });

  it('speaks TLS with SNI to a server it trusts, and reuses the connection', async () => {
    // The fixture's CA is trusted only through NODE_EXTRA_CA_CERTS, read at start-up: a child process.
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/tls-exchange.ts', import.meta.url))], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: `${tlsDir}localhost-cert.pem` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (bytes: Buffer) => (out += bytes.toString()));
    child.stderr.on('data', (bytes: Buffer) => (err += bytes.toString()));
    const [code] = (await once(child, 'close')) as [number];
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ answers: ['data: tls 1\n\n', 'data: tls 2\n\n'], servernames: ['localhost'], connections: 1 });
  }, 20_000);
});
