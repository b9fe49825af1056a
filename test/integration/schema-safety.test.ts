import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { EVIL_TEXT, anyOfBomb, evilPatternSchema, refCycle } from '../support/hostile-schemas.js';
import { postChat, readEvents, textOf } from '../support/read-events.js';

const ask = (content: string) => [{ role: 'user', content }];
const normalSchema = { type: 'object', properties: { title: { type: 'string', pattern: '^[A-Za-z ]' }, score: { type: 'number' } }, required: ['title', 'score'] };

describe('hostile JSON-mode schemas through the real handler', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('checks ^(a+)+$ against 30 a and a "!" on RE2 while a concurrent JSON answer streams and validates', async () => {
    const [evil, normal] = await Promise.all([
      postChat(api.endpoint, { mode: 'json', schema: evilPatternSchema, messages: ask('One word') }).then(readEvents),
      postChat(api.endpoint, { mode: 'json', schema: normalSchema, messages: ask('Rate a book') }).then(readEvents),
    ]);
    expect(textOf(evil)).toContain(EVIL_TEXT);
    expect(evil.at(-1)?.event).toMatchObject({ type: 'error', code: 'schema_mismatch', path: '/word' });
    expect(normal.at(-1)?.event.type).toBe('done');
    expect(JSON.parse(textOf(normal))).toMatchObject({ title: expect.any(String) });
  });

  it.each([
    ['a lookahead pattern', 'unsafe_pattern', { type: 'string', pattern: '^(?=x)x$' }],
    ['a backreference in patternProperties', 'unsafe_pattern', { type: 'object', patternProperties: { '(a)\\1': {} } }],
    ['the 1 KB anyOf-over-$ref bomb', 'schema_too_complex', anyOfBomb()],
    ['a $ref cycle', 'schema_too_complex', refCycle],
  ])('answers %s with 400 %s before calling the upstream', async (_, code, schema) => {
    const before = api.upstream.stats.totalRequests;
    const response = await postChat(api.endpoint, { mode: 'json', schema, messages: ask('x') });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code, message: expect.any(String) } });
    expect(api.upstream.stats.totalRequests).toBe(before);
  });

  it('answers a 100,000-deep nested array inside the schema with 400 schema_too_complex, not a 500', async () => {
    // Written by hand: JSON.stringify itself overflows the stack on such a value.
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const body = `{"mode":"json","messages":[{"role":"user","content":"x"}],"schema":{"type":"object","examples":${deep}}}`;
    const response = await fetch(api.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'schema_too_complex' } });
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('answers model "%s" with 400 unknown_model', async (model) => {
    const response = await postChat(api.endpoint, { model, messages: ask('hi') });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'unknown_model' } });
  });
});
