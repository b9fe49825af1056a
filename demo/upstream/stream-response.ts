import type { OutgoingHttpHeaders } from 'node:http';
import type { FaultName } from './directives.js';
import type { RouteContext } from './route.js';

/**
 * One streaming response, provider-neutral: writes that wait for `drain` when the
 * socket's buffer is full (so a slow reader slows the upstream, as a real server
 * would), an abort signal that fires the moment the connection closes, abortable
 * sleeps for pacing, and exactly one `stream-closed` record in the stats.
 */
export class StreamResponse {
  /** Aborted as soon as the connection closes, whoever closed it. */
  readonly signal: AbortSignal;
  /** Body bytes handed to the socket so far. */
  bytesSent = 0;
  readonly #context: RouteContext;
  readonly #controller = new AbortController();
  #endedBy: 'completed' | 'fault' | undefined;
  #destroyed = false;
  #lastWrite: Promise<void> = Promise.resolve();
  readonly #fault: FaultName | undefined;

  constructor(context: RouteContext, fault: FaultName | undefined) {
    this.#context = context;
    this.#fault = fault;
    this.signal = this.#controller.signal;
    context.stats.recordStreamOpened();
    context.res.once('close', () => this.#onClose());
  }

  /** True while more can be written. */
  get isOpen(): boolean {
    return !this.signal.aborted && !this.#context.res.writableEnded;
  }

  /** Sends the status line and headers (once). */
  start(status: number, headers: OutgoingHttpHeaders): void {
    if (!this.#context.res.headersSent && this.isOpen) this.#context.res.writeHead(status, headers);
  }

  /**
   * Writes `text`; when the socket buffer is full, resolves only after `drain`.
   * Resolves false when the connection is gone, so callers stop at once.
   */
  async write(text: string): Promise<boolean> {
    if (!this.isOpen) return false;
    const { res } = this.#context;
    const bytes = Buffer.byteLength(text);
    this.bytesSent += bytes;
    this.#context.stats.bytesSent += bytes;
    let accepted = true;
    // The callback fires once the chunk is handed to the OS (or the write failed).
    this.#lastWrite = new Promise<void>((resolve) => {
      accepted = res.write(text, () => resolve());
    });
    if (accepted) return true;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
    return this.isOpen;
  }

  /** Waits `ms` (or not at all when 0); resolves false early if the connection closes. */
  async sleep(ms: number, exact = false): Promise<boolean> {
    if (exact) return this.#sleepExactly(ms);
    if (ms > 0 && this.isOpen) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        this.signal.addEventListener('abort', done);
      });
    }
    return this.isOpen;
  }

  // A timer to 2 ms short of the time, then turns of the event loop until it has come.
  async #sleepExactly(ms: number): Promise<boolean> {
    const until = performance.now() + ms;
    if (!(await this.sleep(Math.max(0, ms - 2)))) return false;
    while (performance.now() < until && this.isOpen) await new Promise<void>((resolve) => setImmediate(resolve));
    return this.isOpen;
  }

  /** Resolves once everything written so far has left for the network (or failed to). */
  flushed(): Promise<void> {
    return Promise.race([this.#lastWrite, this.untilClosed()]);
  }

  /** Resolves when the connection closes (a stall waits here). */
  async untilClosed(): Promise<void> {
    if (this.signal.aborted) return;
    await new Promise<void>((resolve) => this.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** Ends the response normally; `fault` marks a deliberate bad ending (error event, garbage). */
  end(outcome: 'completed' | 'fault'): void {
    this.#endedBy = outcome;
    this.#context.res.end();
  }

  /** Tears the connection down mid-stream, as a dropped connection would. */
  destroy(): void {
    this.#destroyed = true;
    this.#context.res.destroy();
  }

  #onClose(): void {
    const { res } = this.#context;
    const reason =
      this.#destroyed
        ? 'fault'
        : this.#endedBy !== undefined && res.writableFinished
          ? this.#endedBy
          : this.#context.isClosing()
            ? 'server-closed'
            : 'client-aborted';
    this.#controller.abort();
    this.#context.stats.recordStreamClosed({
      reason,
      at: performance.now(),
      startedAt: this.#context.startedAt,
      bytesSent: this.bytesSent,
      requestId: this.#context.requestId,
      path: this.#context.req.url ?? '',
      ...(this.#fault === undefined ? {} : { fault: this.#fault }),
    });
  }
}
