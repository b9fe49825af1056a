import { HOSTILE_FAULTS } from './hostile-faults.js';
import type { Pace } from './pace.js';

/**
 * Markers in the last user message that steer the local upstream: faults, answer
 * length and pace. They ride inside the message text because that is the one thing a
 * browser can send through the project's server to the upstream (no custom headers).
 *
 * Grammar (see docs/local-upstream.md):
 * - `[[fault:NAME]]` every attempt faults; `[[fault:NAME:N]]` the first N attempts of
 *   this conversation fault, later ones behave normally.
 * - `[[length:N]]` an answer of exactly N tokens (0 … {@link MAX_LENGTH_TOKENS}).
 * - `[[pace:FIRST_MS,TPS]]` this request's pace; `[[pace:FIRST_MS,TPS,exact]]` sends the
 *   first token at FIRST_MS to the microsecond (for benchmarks of time to first token).
 * - `[[echo]]` the answer is the message itself, markers removed, verbatim (tests
 *   stream chosen markdown, such as an XSS corpus, through the whole chain).
 * - `[[reasoning:N]]` N reasoning tokens before the answer, on every route that can
 *   stream reasoning; `[[reasoning-field:reasoning]]` names Chat Completions' delta field
 *   (`reasoning_content` by default); `[[no-usage]]` omits the usage a server would send;
 *   `[[cached:N]]` reports N of the prompt tokens as read from cache; `[[refusal]]` ends
 *   the answer early with the provider's refusal reason (Anthropic, Gemini).
 */

/** Every fault the local upstream can act out. */
export const FAULT_NAMES = [
  '429',
  '500',
  'error-first',
  'error-mid',
  'drop',
  'stall',
  'garbage',
  '503',
  '529',
  'overloaded',
  // A hostile provider: faults a well-behaved one never shows.
  ...HOSTILE_FAULTS,
] as const;

/** One of {@link FAULT_NAMES}. */
export type FaultName = (typeof FAULT_NAMES)[number];

/** A requested fault; without `attempts` every attempt gets it. */
export interface FaultDirective {
  name: FaultName;
  attempts?: number;
}

/** What the markers of one message ask for. */
export interface Directives {
  fault?: FaultDirective;
  lengthTokens?: number;
  pace?: Pace;
  echo?: boolean;
  /** `[[reasoning:N]]`: reasoning tokens streamed before the answer. */
  reasoningTokens?: number;
  /** `[[reasoning-field:NAME]]`: the Chat Completions delta field that carries reasoning. */
  reasoningField?: ReasoningField;
  /** `[[no-usage]]`: the stream carries no usage, as some OpenAI-compatible servers do. */
  noUsage?: boolean;
  /** `[[cached:N]]`: prompt tokens reported as read from the provider's cache. */
  cachedTokens?: number;
  /** `[[refusal]]`: the model stops early and says it refused. */
  refusal?: boolean;
}

/**
 * Where an OpenAI-compatible server puts reasoning: DeepSeek and vLLM (`reasoning_content`),
 * OpenRouter and Ollama's `/v1` (`reasoning`), or inline in the content between
 * `<think>` tags, as local models served without a reasoning parser do (`think`).
 */
export type ReasoningField = 'reasoning_content' | 'reasoning' | 'think';

/** Upper bound of `[[length:N]]`, so one request cannot make the process build gigabytes. */
export const MAX_LENGTH_TOKENS = 200_000;

const MARKER = /\[\[(fault|length|pace|echo|reasoning-field|reasoning|no-usage|cached|refusal)(?::([^\]]{0,64}))?\]\]/g;
const COUNT = /^\d{1,9}$/;

function isFaultName(value: string): value is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(value);
}

function parseFault(argument: string): FaultDirective | undefined {
  const match = /^([a-z0-9-]+)(?::(\d{1,9}))?$/.exec(argument.trim());
  const name = match?.[1];
  if (name === undefined || !isFaultName(name)) return undefined;
  const attempts = match?.[2];
  return attempts === undefined ? { name } : { name, attempts: Number(attempts) };
}

function parsePace(argument: string): Pace | undefined {
  const parts = argument.split(',').map((part) => part.trim());
  const exact = parts.length === 3 && parts[2] === 'exact';
  if (exact) parts.pop();
  if (parts.length !== 2 || parts.some((part) => !/^\d+(\.\d+)?$/.test(part))) return undefined;
  return { firstTokenMs: Number(parts[0]), tokensPerSecond: Number(parts[1]), ...(exact ? { exact } : {}) };
}

/**
 * Reads the markers of a message. The first valid marker of each kind wins; malformed
 * markers are ignored (and still stripped by {@link stripDirectives}).
 *
 * @example
 * readDirectives('hi [[fault:429:2]] [[length:40]]');
 * // { fault: { name: '429', attempts: 2 }, lengthTokens: 40 }
 */
export function readDirectives(text: string): Directives {
  const directives: Directives = {};
  for (const [, kind, argument = ''] of text.matchAll(MARKER)) {
    if (kind === 'fault' && directives.fault === undefined) {
      const fault = parseFault(argument);
      if (fault) directives.fault = fault;
    } else if (kind === 'length' && directives.lengthTokens === undefined && COUNT.test(argument.trim())) {
      directives.lengthTokens = Math.min(Number(argument.trim()), MAX_LENGTH_TOKENS);
    } else if (kind === 'echo') {
      directives.echo = true;
    } else if (kind !== undefined && kind !== 'fault' && kind !== 'length' && kind !== 'pace') {
      readProviderMarker(directives, kind, argument.trim());
    } else if (kind === 'pace' && directives.pace === undefined) {
      const pace = parsePace(argument);
      if (pace) directives.pace = pace;
    }
  }
  return directives;
}

function readProviderMarker(directives: Directives, kind: string, argument: string): void {
  if (kind === 'reasoning' && directives.reasoningTokens === undefined && COUNT.test(argument)) {
    directives.reasoningTokens = Math.min(Number(argument), MAX_LENGTH_TOKENS);
  } else if (kind === 'reasoning-field' && (argument === 'reasoning' || argument === 'reasoning_content' || argument === 'think')) {
    directives.reasoningField ??= argument;
  } else if (kind === 'cached' && directives.cachedTokens === undefined && COUNT.test(argument)) {
    directives.cachedTokens = Number(argument);
  } else if (kind === 'no-usage') {
    directives.noUsage = true;
  } else if (kind === 'refusal') {
    directives.refusal = true;
  }
}

/** The message without its markers, otherwise exactly as sent (what `[[echo]]` answers). */
export function removeDirectives(text: string): string {
  return text.replace(MARKER, '');
}

/** The message without its markers, whitespace collapsed: what the "model" answers about. */
export function stripDirectives(text: string): string {
  return text.replace(MARKER, ' ').replace(/\s+/g, ' ').trim();
}
