import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSnapshot } from '../../api/_lib/ops/stream-metrics.js';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, waitFor } from '../support/read-events.js';

const token = 'status-token-for-tests-0123456789';
const ask = (content: string) => ({ messages: [{ role: 'user', content }] });

describe('GET /api/chat/stream?status', () => {
  let api: TestApi;
  let statusUrl: string;
  const status = (authorization?: string) => fetch(statusUrl, authorization === undefined ? {} : { headers: { authorization } });
  beforeAll(async () => {
    api = await startTestApi({ AI_STREAM_STATUS_TOKEN: token, AI_STREAM_MAX_RETRIES: '1', AI_STREAM_MAX_MESSAGES: '2' });
    statusUrl = `${api.endpoint}?status`;
  });
  afterAll(async () => {
    await api.close();
  });

  it('is 404, like a path that does not exist, without the right bearer token', async () => {
    for (const authorization of [undefined, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, `Basic ${token}`, token, 'Bearer ']) {
      const res = await status(authorization);
      expect(res.status, String(authorization)).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'Not found.' } });
    }
  });

  it('counts streams by ending, retries and errors by code, refusals, and the streams open now', async () => {
    const before = (await (await status(`Bearer ${token}`)).json()) as MetricsSnapshot;

    await readEvents(await postChat(api.endpoint, ask('fine [[length:3]]')));
    await readEvents(await postChat(api.endpoint, ask('retried once [[fault:500:1]] [[length:3]]')));
    await readEvents(await postChat(api.endpoint, ask('fails mid-answer [[fault:error-mid]]')));
    const refused = await postChat(api.endpoint, { messages: [ask('a').messages[0], ask('b').messages[0], ask('c').messages[0]] });
    expect(refused.status).toBe(400);

    // One stream held open, then cancelled by id.
    const open = await postChat(api.endpoint, { ...ask('held open [[length:2000]] [[pace:0,20]]') });
    const id = open.headers.get('x-stream-id') ?? '';
    const reading = readEvents(open);
    const during = (await (await status(`Bearer ${token}`)).json()) as MetricsSnapshot;
    expect(during.streams.open).toBe(1);
    expect((await fetch(`${api.endpoint}?id=${id}`, { method: 'DELETE' })).status).toBe(204);
    await reading;
    await waitFor(() => api.handler.registry.size === 0, 5_000, 'the cancelled stream to end');

    const res = await status(`bearer  ${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const after = (await res.json()) as MetricsSnapshot;
    expect(after.since).toBe(before.since);
    expect(after.streams).toEqual({
      open: 0,
      started: before.streams.started + 4,
      done: before.streams.done + 2,
      cancelled: before.streams.cancelled + 1,
      errored: before.streams.errored + 1,
    });
    expect(after.retries.upstream_unavailable ?? 0).toBe((before.retries.upstream_unavailable ?? 0) + 1);
    expect(Object.values(after.errors).reduce((a, b) => a + b, 0)).toBe(Object.values(before.errors).reduce((a, b) => a + b, 0) + 1);
    expect(after.upstreamFailures).toBe(before.upstreamFailures + 2);
    expect(after.rejected.bad_request).toBe((before.rejected.bad_request ?? 0) + 1);
  });
});

describe('the status endpoint without AI_STREAM_STATUS_TOKEN', () => {
  it('does not exist: 404 even with a bearer token', async () => {
    const api = await startTestApi();
    try {
      const res = await fetch(`${api.endpoint}?status`, { headers: { authorization: 'Bearer anything-at-all-0123456789' } });
      expect(res.status).toBe(404);
      // A plain GET is still 405, as before.
      expect((await fetch(api.endpoint)).status).toBe(405);
    } finally {
      await api.close();
    }
  });
});
