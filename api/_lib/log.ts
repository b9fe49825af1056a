/** Stream lifecycle events that get a log line. */
export type LogEvent = 'start' | 'first_token' | 'retry' | 'cancel' | 'error' | 'done' | 'rejected';

export type LogFields = Record<string, string | number | boolean | undefined>;

/** Writes one JSON line per event. Callers never pass keys or whole prompts. */
export type Logger = (event: LogEvent, fields: LogFields) => void;

/** A logger writing JSON lines to `write` (stdout by default). */
export function createLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  return (event, fields) => {
    write(JSON.stringify({ ts: new Date().toISOString(), event, ...fields }));
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = () => {};
