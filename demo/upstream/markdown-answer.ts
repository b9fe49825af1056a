import { pick, seededRandom } from './seeded-random.js';
import { splitIntoTokens } from './tokenize.js';

/**
 * The text answer of the local upstream: a markdown document about the user's topic,
 * with the things a renderer must cope with (headings, emphasis, a list, a fenced
 * code block, a quote, non-ASCII text and an emoji), deterministic from the topic.
 */

/** About how long an answer is when the prompt asks for no particular length. */
export const DEFAULT_ANSWER_TOKENS = 300;

const SUBJECTS = [
  'A streaming answer',
  'The first token',
  'Each delta',
  'A careful client',
  'The server',
  'Backpressure',
  'A retry with backoff',
  'The usage count',
] as const;
const VERBS = ['reaches', 'shapes', 'protects', 'explains', 'follows', 'measures', 'keeps', 'frames'] as const;
const OBJECTS = [
  'the reader before the whole reply exists',
  'every byte that crosses the wire',
  'the order in which the words arrive',
  'what the user sees while waiting',
  'the cost of a long conversation',
  'the moment a connection drops',
  'the promise that nothing is repeated',
  'a page that never freezes',
] as const;
const CLOSERS = [
  'That is the whole trick.',
  'Nothing here is real model output, but the stream is.',
  'Small pieces, sent early, feel fast.',
  'The same holds for a slow network.',
] as const;

function topicWords(topic: string): [string, ...string[]] {
  const words = topic.match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu)?.filter((word) => word.length > 2) ?? [];
  const first = words[0];
  return first === undefined ? ['streaming'] : [first, ...words.slice(1, 6)];
}

function sentence(random: () => number, words: readonly [string, ...string[]]): string {
  const about = pick(random, words);
  return `${pick(random, SUBJECTS)} ${pick(random, VERBS)} ${pick(random, OBJECTS)}, even for *${about}*.`;
}

function paragraph(random: () => number, words: readonly [string, ...string[]]): string {
  const count = 3 + Math.floor(random() * 3);
  const sentences = Array.from({ length: count }, () => sentence(random, words));
  if (random() < 0.3) sentences.push(pick(random, CLOSERS));
  return sentences.join(' ');
}

function opening(topic: string, words: readonly [string, ...string[]], random: () => number): string {
  const [first, ...rest] = words;
  const bullets = [first, ...rest.slice(0, 2)].map((word) => `- **${word}**: ${sentence(random, words)}`);
  return [
    `# ${topic}`,
    '',
    `You asked about “${topic}”. This answer comes from the **local upstream**, a stand-in that speaks the provider's wire format: the words are made up, the stream is real.`,
    '',
    '## Key points',
    '',
    ...bullets,
    '',
    '```ts',
    `const topic = ${JSON.stringify(topic.slice(0, 60))};`,
    'export function summarize(text: string): string {',
    '  return `${topic}: ${text.length} characters`;',
    '}',
    '```',
    '',
    '> Unicode check: naïve café — 東京 🚀 — “quotes” and ‘apostrophes’…',
    '',
  ].join('\n');
}

/**
 * Writes the answer for `topic` as a list of tokens.
 *
 * With `lengthTokens` the list has exactly that many tokens (cut wherever that falls);
 * without it the document ends at a paragraph boundary once it reaches
 * {@link DEFAULT_ANSWER_TOKENS}.
 */
export function writeMarkdownAnswer(topic: string, lengthTokens?: number): string[] {
  const title = topic === '' ? 'Your question' : topic;
  const random = seededRandom(title);
  const words = topicWords(title);
  const target = lengthTokens ?? DEFAULT_ANSWER_TOKENS;
  const tokens = splitIntoTokens(opening(title, words, random));
  for (let part = 1; tokens.length < target; part += 1) {
    const heading = part % 3 === 0 ? `\n### More on ${pick(random, words)} (part ${part})\n\n` : '\n';
    const list =
      part % 4 === 0 ? `\n\n1. ${sentence(random, words)}\n2. ${sentence(random, words)}\n3. ${pick(random, CLOSERS)}\n` : '\n';
    for (const token of splitIntoTokens(`${heading}${paragraph(random, words)}${list}`)) tokens.push(token);
  }
  return lengthTokens === undefined ? tokens : tokens.slice(0, lengthTokens);
}
