/** Stream lifecycle events that get a log line (`limit_unchecked`: the store was down and a rate limit's policy decided; `resume`: a reader joined a stream; `resume_off`: its event log stopped). */
export type LogEvent = 'start' | 'first_token' | 'retry' | 'cancel' | 'error' | 'done' | 'rejected' | 'limit_unchecked' | 'resume' | 'resume_off';

export type LogFields = Record<string, string | number | boolean | undefined>;

/** Writes one JSON line per event. Callers never pass keys, prompts or upstream bodies. */
export type Logger = (event: LogEvent, fields: LogFields) => void;

/** A logger writing JSON lines to `write` (stdout by default). */
export function createLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  return (event, fields) => {
    write(JSON.stringify({ ts: new Date().toISOString(), event, ...fields }));
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = () => {};

/** What a scrubbed secret is replaced with. */
export const REDACTED = '[redacted]';

/** Configured keys shorter than this are not scrubbed by value (they would blank ordinary words). */
const MIN_SECRET_CHARS = 8;

/**
 * Shapes of secrets, whoever put them in a field: OpenAI-style keys (`sk-…`, also
 * `sk-proj-…`, `sk-ant-…`), bearer tokens, and long runs of mixed-case letters and
 * digits (API keys, JWTs and session tokens look like that; UUIDs and hex request ids,
 * lower case only, do not).
 */
const SECRET_SHAPES = /\bsk-[\w-]{6,}|\bBearer\s+[^\s"',;]+|[\w+/=-]{32,}/gi;
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;
const DIGIT = /\d/;

/**
 * The last line of defence for the log: wraps a logger so that every string field
 * has the configured keys and anything shaped like a key or bearer token replaced by
 * `[redacted]`. Code must still not log bodies or keys; this catches what slips
 * through (an upstream that echoes the request into an error message, say).
 *
 * @example
 * const log = scrubbingLogger(createLogger(), [config.providers.openai.apiKey]);
 */
export function scrubbingLogger(inner: Logger, secrets: readonly string[] = []): Logger {
  // Nothing is written: nothing to scrub (a field object and a regex pass per event saved).
  if (inner === silentLogger) return silentLogger;
  return (event, fields) => {
    const clean: LogFields = {};
    for (const [name, value] of Object.entries(fields)) clean[name] = typeof value === 'string' ? scrubSecrets(value, secrets) : value;
    inner(event, clean);
  };
}

/** `text` with the given secrets and anything shaped like a key or bearer token replaced by `[redacted]`. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= MIN_SECRET_CHARS && out.includes(secret)) out = out.replaceAll(secret, REDACTED);
  return out.replace(SECRET_SHAPES, (match) => {
    if (/^sk-/i.test(match)) return `sk-${REDACTED}`;
    if (/^Bearer\s/i.test(match)) return `Bearer ${REDACTED}`;
    return UPPER.test(match) && LOWER.test(match) && DIGIT.test(match) ? REDACTED : match;
  });
}
