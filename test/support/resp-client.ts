import { connect, type Socket } from 'node:net';

/** An error reply of Redis, kept as a value so one failed command in a batch does not hide the others. */
export class RespError {
  constructor(readonly message: string) {}
}

/** A RESP2 reply: bulk strings stay bytes, status replies are strings. */
export type RespValue = Buffer | string | number | null | RespError | RespValue[];

interface Parsed {
  value: RespValue;
  next: number;
}

/** Parses one reply starting at `at`; undefined while it is incomplete. */
function parseReply(buffer: Buffer, at: number): Parsed | undefined {
  const lineEnd = buffer.indexOf('\r\n', at);
  if (lineEnd === -1) return undefined;
  const line = buffer.toString('utf8', at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (String.fromCharCode(buffer[at] ?? 0)) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new RespError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length === -1) return { value: null, next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.subarray(next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count === -1) return { value: null, next };
      const items: RespValue[] = [];
      let offset = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, offset);
        if (!item) return undefined;
        items.push(item.value);
        offset = item.next;
      }
      return { value: items, next: offset };
    }
    default:
      throw new Error(`RESP: unexpected reply type at byte ${at}`);
  }
}

function encodeCommand(args: readonly string[]): Buffer {
  const parts = [`*${args.length}\r\n`];
  for (const arg of args) parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(parts.join(''));
}

/**
 * A minimal Redis client over `node:net` for the test translator: sends batches of
 * commands in one write and resolves their replies in order. About 80 lines instead
 * of a client dependency; the production code never uses it.
 */
export class RespConnection {
  readonly #socket: Socket;
  readonly #waiting: Array<{ resolve: (value: RespValue) => void; reject: (error: Error) => void }> = [];
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('Redis connection closed')));
  }

  /** Connects; rejects when nothing listens on the port. */
  static open(port: number, host = '127.0.0.1'): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true });
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new RespConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends every command in one write; the replies come back in the same order. */
  send(commands: ReadonlyArray<readonly string[]>): Promise<RespValue[]> {
    if (this.#closed) return Promise.reject(new Error('Redis connection closed'));
    const replies = commands.map(() => new Promise<RespValue>((resolve, reject) => this.#waiting.push({ resolve, reject })));
    this.#socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  close(): void {
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    let offset = 0;
    for (;;) {
      const parsed = offset < this.#buffer.length ? parseReply(this.#buffer, offset) : undefined;
      if (!parsed) break;
      offset = parsed.next;
      this.#waiting.shift()?.resolve(parsed.value);
    }
    this.#buffer = this.#buffer.subarray(offset);
  }

  #fail(error: Error): void {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
  }
}
