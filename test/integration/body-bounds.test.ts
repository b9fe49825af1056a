import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOUNTS, startTestApi, type TestApi } from '../support/api-server.js';
import { rawConnection } from '../support/raw-request.js';
import { waitFor } from '../support/read-events.js';

const head = (path: string) => `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

/** A body without a Content-Length is bounded while it is read, on either mount. */
describe.each(MOUNTS)('a chunked body (%s mount)', (mount) => {
  let api: TestApi;
  let path: string;
  let origin: string;
  beforeAll(async () => {
    api = await startTestApi({ AI_STREAM_MAX_BODY_BYTES: '4096' }, { mount });
    ({ pathname: path, origin } = new URL(api.endpoint));
  });
  afterAll(async () => {
    await api.close();
  });

  it('that grows past the bound gets 413 while it is still arriving, and the connection closed', async () => {
    const connection = rawConnection(origin);
    connection.write(head(path) + chunk(`{"messages":[{"role":"user","content":"${'x'.repeat(5_000)}`));
    // The rest never comes: the answer cannot wait for the end of the body.
    const response = await connection.closed;
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('"code":"payload_too_large"');
    expect(api.upstream.stats.totalRequests).toBe(0);
  });

  it('whose client leaves half way starts nothing and leaves no stream behind', async () => {
    const connection = rawConnection(origin);
    connection.write(head(path) + chunk('{"messages":[{"role":"user",'));
    connection.destroy();
    await waitFor(() => api.logs.some((line) => line.event === 'rejected'), 5_000, 'the request to be given up');
    expect(api.upstream.stats.totalRequests).toBe(0);
    expect(api.handler.registry.size).toBe(0);
  });
});
