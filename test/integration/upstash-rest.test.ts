import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespConnection, RespError } from '../support/resp-client.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { dropLockingFlag, startUpstashRest, type UpstashRest } from '../support/upstash-rest.js';

/** The translator must answer as Upstash does, or tests through it prove nothing about production. */
let server: RedisServer;
let rest: UpstashRest;
beforeAll(async () => {
  server = await startRedisServer();
  rest = await startUpstashRest({ redisPort: server.port });
});
afterAll(async () => {
  await rest.close();
  await server.stop();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${rest.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${rest.token}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const base64 = (text: string): string => Buffer.from(text).toString('base64');
const LOCKING_SCRIPT = '#!lua flags=allow-key-locking\nreturn redis.call("INCRBY", KEYS[1], ARGV[1])';

describe('the Upstash REST translator', () => {
  it('checks the Bearer token and the content type', async () => {
    expect(await post('/', ['PING'], { authorization: 'Bearer wrong' })).toEqual({ status: 401, body: { error: 'Unauthorized' } });
    expect((await post('/', ['PING'], { 'content-type': 'text/plain' })).status).toBe(400);
    expect((await post('/nope', ['PING'])).status).toBe(404);
  });

  it('answers one command with {result}, strings in base64 when asked, numbers as numbers, errors as 400', async () => {
    expect(await post('/', ['SET', 'k', 'héllo'])).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await post('/', ['GET', 'k'], { 'upstash-encoding': 'base64' })).toEqual({ status: 200, body: { result: base64('héllo') } });
    expect(await post('/', ['GET', 'k'])).toEqual({ status: 200, body: { result: 'héllo' } });
    expect(await post('/', ['INCRBY', 'n', 5])).toEqual({ status: 200, body: { result: 5 } });
    expect(await post('/', ['INCR', 'k'])).toEqual({ status: 400, body: { error: 'ERR value is not an integer or out of range' } });
  });

  it('a pipeline answers every command, with per-command errors in place (NOSCRIPT among them)', async () => {
    const reply = await post('/pipeline', [['SET', 'p', '1'], ['INCR', 'k'], ['EVALSHA', 'f'.repeat(40), 0], ['INCR', 'p']]);
    expect(reply).toEqual({
      status: 200,
      body: [{ result: 'OK' }, { error: 'ERR value is not an integer or out of range' }, { error: 'NOSCRIPT No matching script. Please use EVAL.' }, { result: 2 }],
    });
  });

  it('multi-exec runs the commands as one transaction', async () => {
    expect(await post('/multi-exec', [['SET', 'm', '1'], ['INCRBY', 'm', 2], ['GET', 'm']])).toEqual({ status: 200, body: [{ result: 'OK' }, { result: 3 }, { result: '3' }] });
  });

  it('the script-flag trap: a stock redis-server refuses allow-key-locking; through the translator EVAL runs and EVALSHA of the original SHA-1 finds it', async () => {
    const direct = await RespConnection.open(server.port);
    const [refused] = await direct.send([['EVAL', LOCKING_SCRIPT, '1', 'trap', '1']]);
    direct.close();
    expect(refused).toBeInstanceOf(RespError);
    expect((refused as RespError).message).toMatch(/flag/i);

    const sha = createHash('sha1').update(LOCKING_SCRIPT).digest('hex');
    expect(await post('/pipeline', [['EVALSHA', sha, 1, 'trap', 1]])).toEqual({ status: 200, body: [{ error: 'NOSCRIPT No matching script. Please use EVAL.' }] });
    expect(await post('/pipeline', [['EVAL', LOCKING_SCRIPT, 1, 'trap', 1]])).toEqual({ status: 200, body: [{ result: 1 }] });
    expect(await post('/pipeline', [['EVALSHA', sha, 1, 'trap', 1]])).toEqual({ status: 200, body: [{ result: 2 }] });
    expect(await post('/', ['SCRIPT', 'LOAD', LOCKING_SCRIPT])).toEqual({ status: 200, body: { result: sha } });
  });

  it('drops only the allow-key-locking flag', () => {
    expect(dropLockingFlag('#!lua flags=allow-key-locking\nreturn 1')).toBe('return 1');
    expect(dropLockingFlag('#!lua flags=no-writes,allow-key-locking\nreturn 1')).toBe('#!lua flags=no-writes\nreturn 1');
    expect(dropLockingFlag('#!lua flags=no-writes\nreturn 1')).toBe('#!lua flags=no-writes\nreturn 1');
    expect(dropLockingFlag('return 1')).toBe('return 1');
  });
});
