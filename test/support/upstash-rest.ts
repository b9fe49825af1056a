import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RespConnection, RespError, type RespValue } from './resp-client.js';

/**
 * A stand-in for Upstash's HTTP front, in front of a real redis-server: the subset of
 * the Upstash REST protocol `@upstash/redis` speaks (`POST /` one command,
 * `/pipeline`, `/multi-exec`, Bearer auth, `Upstash-Encoding: base64` replies,
 * per-command errors inside a pipeline). So the production client and the
 * production store run unchanged against a real Redis; only this front stands in.
 */
export interface UpstashRest {
  url: string;
  token: string;
  /** HTTP requests and Redis commands served so far (for round-trip counts). */
  stats: { requests: number; commands: number };
  /**
   * The commands served so far (the last {@link COMMAND_HISTORY}) that name `text` in
   * their first arguments (a stream id in a key), each as its name and those arguments,
   * cut short: for counting the commands one answer costs.
   */
  commandsMentioning(text: string): string[][];
  close(): Promise<void>;
}

type Json = string | number | null | Json[] | { [key: string]: Json };
type Entry = { result: Json } | { error: string };

const SHEBANG = /^#!lua([^\n]*)(\n|$)/;

/** How many commands are kept for `commandsMentioning`. */
const COMMAND_HISTORY = 50_000;

/**
 * Upstash accepts `#!lua flags=allow-key-locking`; a stock redis-server 7.0 rejects
 * the flag. Drops it (and the shebang line when no flag is left, which restores the
 * permissive rules of a script without one).
 */
export function dropLockingFlag(script: string): string {
  const match = SHEBANG.exec(script);
  if (!match?.[1]?.includes('allow-key-locking')) return script;
  const flags = /flags=(\S*)/
    .exec(match[1])?.[1]
    ?.split(',')
    .filter((flag) => flag && flag !== 'allow-key-locking');
  const rest = script.slice(match[0].length);
  return flags && flags.length > 0 ? `#!lua flags=${flags.join(',')}\n${rest}` : rest;
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Upstash's serializer sends numbers and booleans as JSON primitives; Redis wants strings. */
function toArg(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Rewrites scripts past the flag trap; `loaded` maps the client's SHA-1 to the one
 * Redis knows. `SCRIPT LOAD` answers the client's SHA-1, as Upstash would.
 */
function rewrite(command: string[], loaded: Map<string, string>): { command: string[]; sha?: string } {
  const name = command[0]?.toUpperCase() ?? '';
  const script = command[1];
  const scriptLoad = name === 'SCRIPT' && command[1]?.toUpperCase() === 'LOAD';
  if ((name === 'EVAL' || name === 'EVAL_RO') && script !== undefined) {
    const runnable = dropLockingFlag(script);
    loaded.set(sha1(script), sha1(runnable));
    return { command: [command[0] ?? name, runnable, ...command.slice(2)] };
  }
  if (scriptLoad && command[2] !== undefined) {
    const runnable = dropLockingFlag(command[2]);
    const sha = sha1(command[2]);
    loaded.set(sha, sha1(runnable));
    return { command: [...command.slice(0, 2), runnable], sha };
  }
  if ((name === 'EVALSHA' || name === 'EVALSHA_RO') && script !== undefined) {
    return { command: [command[0] ?? name, loaded.get(script) ?? script, ...command.slice(2)] };
  }
  return { command };
}

/** Replies as Upstash sends them: with base64, every string but a bare `OK` status is encoded. */
function toJson(value: RespValue, base64: boolean): Json {
  if (value === null || typeof value === 'number') return value;
  if (value instanceof RespError) return value.message;
  if (Array.isArray(value)) return value.map((item) => toJson(item, base64));
  if (typeof value === 'string') return !base64 || value === 'OK' ? value : Buffer.from(value).toString('base64');
  return base64 ? value.toString('base64') : value.toString('utf8');
}

function toEntry(value: RespValue, base64: boolean): Entry {
  return value instanceof RespError ? { error: value.message } : { result: toJson(value, base64) };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(response: ServerResponse, status: number, body: Json | Entry | Entry[]): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function isCommand(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0;
}

/** Starts the front on a free port of 127.0.0.1, talking to redis-server at `redisPort`. */
export async function startUpstashRest(options: { redisPort: number; token?: string }): Promise<UpstashRest> {
  const token = options.token ?? 'test-upstash-token';
  const loaded = new Map<string, string>();
  const stats = { requests: 0, commands: 0 };
  const history: string[][] = [];
  let connection: Promise<RespConnection> | undefined;

  /** One connection, opened on demand and again after Redis went away. */
  async function redis(): Promise<RespConnection> {
    const current = connection ? await connection.catch(() => undefined) : undefined;
    if (current && !current.closed) return current;
    connection = RespConnection.open(options.redisPort);
    return connection;
  }

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    stats.requests++;
    const route = request.url?.split('?')[0];
    if (request.method !== 'POST' || (route !== '/' && route !== '/pipeline' && route !== '/multi-exec')) {
      return send(response, 404, { error: 'Endpoint not found' });
    }
    if (request.headers['content-type'] !== 'application/json') {
      return send(response, 400, { error: 'Invalid content type. Expected application/json.' });
    }
    if (request.headers.authorization !== `Bearer ${token}`) return send(response, 401, { error: 'Unauthorized' });
    const body = await readJson(request).catch(() => undefined);
    const batch = route === '/' ? [body] : body;
    if (!Array.isArray(batch) || batch.length === 0 || !batch.every(isCommand)) {
      return send(response, 400, { error: 'ERR the body must be a command array (an array of them for a pipeline)' });
    }
    const rewritten = batch.map((command) => rewrite(command.map(toArg), loaded));
    const commands = rewritten.map(({ command }) => command);
    stats.commands += commands.length;
    // Name and the first arguments (keys come first), each cut short: frames are not kept.
    for (const command of commands) history.push(command.slice(0, 8).map((arg) => arg.slice(0, 160)));
    if (history.length > COMMAND_HISTORY) history.splice(0, history.length - COMMAND_HISTORY);
    const base64 = request.headers['upstash-encoding'] === 'base64';
    let replies: RespValue[];
    try {
      const client = await redis();
      if (route === '/multi-exec') {
        // MULTI … EXEC in one write on the one connection: nothing can come between.
        const all = await client.send([['MULTI'], ...commands, ['EXEC']]);
        const exec = all[all.length - 1];
        if (!Array.isArray(exec)) return send(response, 400, { error: exec instanceof RespError ? exec.message : 'EXECABORT' });
        replies = exec;
      } else {
        replies = await client.send(commands);
      }
    } catch {
      return send(response, 500, { error: 'Unable to connect to the Redis server' });
    }
    replies = replies.map((reply, index) => (typeof reply === 'string' || reply instanceof Buffer ? (rewritten[index]?.sha ?? reply) : reply));
    if (route !== '/') return send(response, 200, replies.map((reply) => toEntry(reply, base64)));
    const [reply = null] = replies;
    if (reply instanceof RespError) return send(response, 400, { error: reply.message });
    return send(response, 200, { result: toJson(reply, base64) });
  }

  const server = createServer((request, response) => {
    serve(request, response).catch(() => send(response, 500, { error: 'translator error' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stats,
    commandsMentioning: (text) => history.filter((command) => command.some((arg) => arg.includes(text))),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const current = await connection?.catch(() => undefined);
      current?.close();
    },
  };
}
