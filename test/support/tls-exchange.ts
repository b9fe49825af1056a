/**
 * Run as a child process with NODE_EXTRA_CA_CERTS set to the fixture certificate (see
 * socket-transport.test.ts): two requests through the socket transport to an HTTPS
 * server on localhost; prints what arrived, the SNI names the server saw and how many
 * TLS connections it accepted.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { socketTransport } from '../../api/_lib/upstream/transports/socket-transport.js';
import { collect, send } from './upstream-call.js';

const dir = new URL('../fixtures/tls/', import.meta.url);
const servernames: string[] = [];
let connections = 0;
let answered = 0;
const server = createServer({ key: readFileSync(new URL('localhost-key.pem', dir)), cert: readFileSync(new URL('localhost-cert.pem', dir)) }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(`data: tls ${++answered}\n\n`);
  });
});
server.on('secureConnection', (socket: TLSSocket) => {
  connections++;
  servernames.push(String((socket as TLSSocket & { servername?: string | false }).servername));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `https://localhost:${(server.address() as AddressInfo).port}/v1/chat/completions`;
const answers: string[] = [];
for (let i = 0; i < 2; i++) {
  const response = await send(socketTransport, url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).response;
  const body = collect(response.body);
  if ((await body.ended) !== 'end') throw new Error('the body did not end');
  answers.push(body.text());
}
process.stdout.write(JSON.stringify({ answers, servernames, connections }));
server.closeAllConnections();
server.close();
