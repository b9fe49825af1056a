import { connect as connectTcp, isIP, type OnReadOpts, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';

/**
 * Connections to providers, kept open between requests (keep-alive), each read into
 * one buffer shared by every connection of the process.
 *
 * Why not node:http's Agent: its client allocates a Buffer for every network read and
 * holds an IncomingMessage, a ClientRequest and their stream states per request. With
 * a provider's stream that is one read per token, and at 1,000 open streams it cost
 * about 34 KB of memory per connection more than a socket read into a shared buffer
 * (docs/server-design.md). A socket's `onread` buffer is filled and handed to its
 * callback synchronously, so one buffer serves all: what a read holds is parsed and
 * decoded before the next read can happen.
 */

/** Where a connection goes: one pool of idle connections per distinct target. */
export interface ConnectionTarget {
  secure: boolean;
  /** Host name or IP literal (no brackets). */
  hostname: string;
  port: number;
  /** Pool key: scheme, host and port. */
  origin: string;
}

/** The exchange a connection currently serves. */
export interface ConnectionUser {
  /** `bytes[0, length)` arrived; valid only during the call. Return false to pause reading. */
  onRead(bytes: Buffer, length: number): boolean;
  /** The connection closed (with the socket's error, if it had one). */
  onClosed(error: Error | undefined): void;
}

/** One read buffer for every connection: the largest read libuv makes. */
const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** Idle connections kept per origin, as node:http's Agent keeps (`maxFreeSockets`). */
const MAX_IDLE_PER_ORIGIN = 256;
/** An idle connection is closed after this long, or a second before the server said it would close it. */
const IDLE_MS = 30_000;
/** TLS sessions kept for resumption, one per origin. */
const MAX_SESSIONS = 64;

const idle = new Map<string, UpstreamConnection[]>();
const sessions = new Map<string, Buffer>();

/** A connection to `target` for `user`: an idle one if there is, else a new one. */
export function connectionFor(target: ConnectionTarget, user: ConnectionUser): UpstreamConnection {
  const waiting = idle.get(target.origin);
  while (waiting && waiting.length > 0) {
    const connection = waiting.pop()!;
    if (connection.take(user)) return connection;
  }
  return new UpstreamConnection(target, user);
}

/** Idle connections per origin (tests). */
export function idleConnections(origin: string): number {
  return idle.get(origin)?.length ?? 0;
}

export class UpstreamConnection {
  readonly #target: ConnectionTarget;
  readonly #socket: Socket;
  #user: ConnectionUser | undefined;
  #error: Error | undefined;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(target: ConnectionTarget, user: ConnectionUser) {
    this.#target = target;
    this.#user = user;
    const onread: OnReadOpts = { buffer: SHARED_READ_BUFFER, callback: this.#onRead };
    this.#socket = target.secure
      ? connectTls({
          host: target.hostname,
          port: target.port,
          // SNI is for names only (RFC 6066), as node:https sends it.
          ...(isIP(target.hostname) !== 0 ? {} : { servername: target.hostname }),
          ALPNProtocols: ['http/1.1'],
          session: sessions.get(target.origin),
          // tls.connect takes `onread` as net.connect does; @types/node only lists it on net.
          onread,
        } as ConnectionOptions)
      : connectTcp({ host: target.hostname, port: target.port, onread });
    this.#socket.setNoDelay(true);
    this.#socket.on('error', this.#onError);
    this.#socket.on('close', this.#onClose);
    if (target.secure) this.#socket.on('session', this.#onSession);
  }

  /** Sends a request's bytes (queued until the socket connects). */
  send(text: string): void {
    this.#socket.write(text, 'utf8');
  }

  pause(): void {
    this.#socket.pause();
  }

  resume(): void {
    this.#socket.resume();
  }

  /** Closes the connection; its user hears nothing more. */
  destroy(): void {
    this.#user = undefined;
    this.#clearIdle();
    this.#socket.destroy();
  }

  /**
   * The user is done and the response was read whole: the connection waits for the
   * next request, at most `keepAliveHintMs` less a second if the server said how long it
   * keeps one.
   */
  release(keepAliveHintMs: number | undefined): void {
    this.#user = undefined;
    const idleMs = keepAliveHintMs === undefined ? IDLE_MS : Math.min(IDLE_MS, keepAliveHintMs - 1_000);
    const list = idle.get(this.#target.origin) ?? [];
    if (idleMs <= 0 || list.length >= MAX_IDLE_PER_ORIGIN || this.#socket.destroyed || !this.#socket.writable) return this.destroy();
    this.#socket.resume();
    if (list.length === 0) idle.set(this.#target.origin, list);
    list.push(this);
    this.#idleTimer = setTimeout(this.#onIdleTimeout, idleMs);
    this.#idleTimer.unref();
    this.#socket.unref();
  }

  /** Hands an idle connection to `user`; false if it can no longer be used. */
  take(user: ConnectionUser): boolean {
    this.#clearIdle();
    if (this.#socket.destroyed || !this.#socket.writable) return false;
    this.#socket.ref();
    this.#user = user;
    return true;
  }

  readonly #onRead = (length: number, bytes: Buffer): boolean => {
    const user = this.#user;
    // Bytes on an idle connection belong to no request: it cannot be trusted again.
    if (!user) {
      this.#leaveIdle();
      this.#socket.destroy();
      return false;
    }
    return user.onRead(bytes, length);
  };

  readonly #onError = (error: Error): void => {
    this.#error = error;
  };

  readonly #onClose = (): void => {
    this.#leaveIdle();
    const user = this.#user;
    this.#user = undefined;
    user?.onClosed(this.#error);
  };

  readonly #onSession = (session: Buffer): void => {
    if (!sessions.has(this.#target.origin) && sessions.size >= MAX_SESSIONS) sessions.clear();
    sessions.set(this.#target.origin, session);
  };

  readonly #onIdleTimeout = (): void => {
    this.#leaveIdle();
    this.#socket.destroy();
  };

  #clearIdle(): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }

  /** Out of the idle list, if it is in it. */
  #leaveIdle(): void {
    this.#clearIdle();
    const list = idle.get(this.#target.origin);
    const at = list?.indexOf(this) ?? -1;
    if (at >= 0) list!.splice(at, 1);
  }
}
