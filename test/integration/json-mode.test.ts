import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { postChat, readEvents, textOf } from '../support/read-events.js';

const schema = {
  type: 'object',
  properties: {
    title: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 4 },
    score: { type: 'number' },
  },
  required: ['title', 'tags', 'score'],
};

describe('JSON mode end to end', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('asks the upstream for json_object and delivers a document that parses', async () => {
    const events = await readEvents(await postChat(api.endpoint, { mode: 'json', messages: [{ role: 'user', content: 'A recipe as JSON' }] }));
    expect(events.at(-1)?.event.type).toBe('done');
    expect(() => JSON.parse(textOf(events))).not.toThrow();
    expect((api.upstream.stats.requests.at(-1)?.body as { response_format: unknown }).response_format).toEqual({ type: 'json_object' });
  });

  it('passes the schema through and accepts a conforming answer', async () => {
    const events = await readEvents(await postChat(api.endpoint, { mode: 'json', schema, messages: [{ role: 'user', content: 'Rate a book' }] }));
    expect(events.at(-1)?.event.type).toBe('done');
    const value = JSON.parse(textOf(events)) as { title: unknown; tags: unknown[] };
    expect(typeof value.title).toBe('string');
    expect(Array.isArray(value.tags)).toBe(true);
  });

  it('reports a schema mismatch as an error event with the path', async () => {
    // The local upstream ignores `not`, so its answer breaks this schema at /title.
    const strict = { ...schema, properties: { ...schema.properties, title: { type: 'string', not: { type: 'string' } } } };
    const events = await readEvents(await postChat(api.endpoint, { mode: 'json', schema: strict, messages: [{ role: 'user', content: 'Rate a book' }] }));
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'schema_mismatch', path: '/title', retryable: true });
    expect(textOf(events).length).toBeGreaterThan(0);
  });

  it('says the JSON was cut off when maxTokens ends it early', async () => {
    const events = await readEvents(await postChat(api.endpoint, { mode: 'json', maxTokens: 5, messages: [{ role: 'user', content: 'A long JSON document' }] }));
    expect(events.at(-1)?.event).toMatchObject({ type: 'error', code: 'invalid_output', message: expect.stringContaining('cut off') });
  });

  it.each([
    ['a reference to nowhere', { $ref: '#/nowhere/at/all' }],
    ['a remote reference (never fetched)', { $ref: 'http://127.0.0.1:9/schema.json' }],
  ])('rejects a schema with %s before calling the upstream', async (_, bad) => {
    const before = api.upstream.stats.totalRequests;
    const response = await postChat(api.endpoint, { mode: 'json', schema: bad, messages: [{ role: 'user', content: 'x' }] });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
    expect(api.upstream.stats.totalRequests).toBe(before);
  });
});
