import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MOUNTS, startTestApi, type TestApi } from '../support/api-server.js';
import { rawConnection } from '../support/raw-request.js';
import { postChat, readEvents } from '../support/read-events.js';

const head = (path: string, framing: string) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${framing}\r\n`;

describe.each(MOUNTS)('a request body that never finishes (%s mount)', (mount) => {
  let api: TestApi;
  let path: string;
  let origin: string;
  beforeAll(async () => {
    api = await startTestApi({ AI_STREAM_BODY_TIMEOUT_MS: '300' }, { mount });
    ({ pathname: path, origin } = new URL(api.endpoint));
  });
  afterAll(async () => {
    await api.close();
  });

  it.each([
    ['with a Content-Length it never reaches', `Content-Length: 100\r\n`, '{"messages": ['],
    ['sent chunked, never terminated', 'Transfer-Encoding: chunked\r\n', 'e\r\n{"messages": [\r\n'],
  ])('%s gets 408 request_timeout at the configured deadline, and the connection closed', async (_name, framing, part) => {
    const connection = rawConnection(origin);
    const sentAt = performance.now();
    connection.write(head(path, framing) + part);
    const response = await connection.closed;
    // Generous: only a missing deadline (Node's own is 300 s) could exceed it.
    expect(performance.now() - sentAt).toBeLessThan(10_000);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(response).toMatch(/\r\nconnection: close\r\n/i);
    expect(response).toContain('"code":"request_timeout"');
    expect(api.upstream.stats.totalRequests).toBe(0);
    expect(api.logs.at(-1)).toMatchObject({ event: 'rejected', status: 408, code: 'request_timeout' });
  });

  it('still serves a body that arrives in pieces within the deadline', async () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'slow but on time [[length:3]]' }] });
    const connection = rawConnection(origin);
    connection.write(head(path, `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n`) + body.slice(0, 10));
    connection.write(body.slice(10));
    expect(await connection.closed).toMatch(/^HTTP\/1\.1 200 [\s\S]*"type":"done"/);
    const events = await readEvents(await postChat(api.endpoint, { messages: [{ role: 'user', content: 'after [[length:2]]' }] }));
    expect(events.at(-1)?.event.type).toBe('done');
  });
});

describe('a request body that came with its headers (node mount)', () => {
  it('is taken in one read once the parser has it, with no deadline timer', async () => {
    // A deadline no other timer of the handler uses, to tell its timer apart.
    const deadlineMs = 4_321;
    const api = await startTestApi({ AI_STREAM_BODY_TIMEOUT_MS: String(deadlineMs) }, { mount: 'node' });
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      const { pathname, origin } = new URL(api.endpoint);
      const body = JSON.stringify({ messages: [{ role: 'user', content: 'all at once [[length:3]]' }] });
      const connection = rawConnection(origin);
      // Head and body in one write: one packet on loopback, one read for the parser.
      connection.write(head(pathname, `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n`) + body);
      expect(await connection.closed).toMatch(/^HTTP\/1\.1 200 [\s\S]*"type":"done"/);
      expect(timers.mock.calls.filter(([, ms]) => ms === deadlineMs)).toEqual([]);
    } finally {
      timers.mockRestore();
      await api.close();
    }
  });
});
