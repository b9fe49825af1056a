import type { LogEvent, LogFields, Logger } from './log.js';

/** Counts of one handler instance since it started (each Vercel instance has its own). */
export interface MetricsSnapshot {
  /** When these counters started (ISO 8601): the instance's start. */
  since: string;
  streams: {
    /** Streams running now (the registry's size). */
    open: number;
    started: number;
    done: number;
    /** Cancelled by the client: a `DELETE ?id=` or a disconnect. */
    cancelled: number;
    errored: number;
  };
  /** Streams that ended with an error, by error code (`upstream_timeout`, `schema_mismatch`…). */
  errors: Record<string, number>;
  /** Upstream attempts that failed and were tried again, by error code. */
  retries: Record<string, number>;
  /** Upstream attempts that failed: every retry plus every stream ended by an `upstream_*` error. */
  upstreamFailures: number;
  /** Requests refused before a stream started, by error code (`bad_request`, `origin_not_allowed`…). */
  rejected: Record<string, number>;
}

/**
 * Counters derived from the handler's log events, so every number an operator sees
 * is also a log line they can grep. Wrap the logger with {@link StreamMetrics.wrap};
 * counting is a few map updates per event, nothing per token.
 */
export class StreamMetrics {
  readonly #since = new Date().toISOString();
  readonly #streams = { started: 0, done: 0, cancelled: 0, errored: 0 };
  readonly #errors = new Map<string, number>();
  readonly #retries = new Map<string, number>();
  readonly #rejected = new Map<string, number>();
  #upstreamFailures = 0;

  /** A logger that counts each event, then hands it to `log`. */
  wrap(log: Logger): Logger {
    return (event, fields) => {
      this.record(event, fields);
      log(event, fields);
    };
  }

  /** Counts one log event. */
  record(event: LogEvent, fields: LogFields): void {
    const code = String(fields.code ?? 'unknown');
    switch (event) {
      case 'start':
        this.#streams.started++;
        break;
      case 'done':
        this.#streams.done++;
        break;
      case 'cancel':
        this.#streams.cancelled++;
        break;
      case 'error':
        this.#streams.errored++;
        bump(this.#errors, code);
        if (code.startsWith('upstream_')) this.#upstreamFailures++;
        break;
      case 'retry':
        bump(this.#retries, code);
        this.#upstreamFailures++;
        break;
      case 'rejected':
        bump(this.#rejected, code);
        break;
      case 'first_token':
        break;
    }
  }

  /** The counters now, with `open` streams as the caller's registry counts them. */
  snapshot(open: number): MetricsSnapshot {
    return {
      since: this.#since,
      streams: { open, ...this.#streams },
      errors: Object.fromEntries(this.#errors),
      retries: Object.fromEntries(this.#retries),
      upstreamFailures: this.#upstreamFailures,
      rejected: Object.fromEntries(this.#rejected),
    };
  }
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
