import { pick, seededRandom } from './seeded-random.js';
import { splitIntoTokens } from './tokenize.js';

const STEPS = [
  'Read the question',
  'Stream the first token early',
  'Count what was sent',
  'Close the stream cleanly',
  'Retry only before output',
] as const;

/**
 * The JSON-mode (`json_object`) answer: an object about the topic, pretty-printed the
 * way models tend to write it, with non-ASCII text inside strings.
 *
 * `lengthTokens` grows a `details` array until the document is about that many
 * tokens long; the document always stays valid JSON, so the count is approximate.
 */
export function writeJsonAnswer(topic: string, lengthTokens?: number): string {
  const random = seededRandom(`json:${topic}`);
  const keywords = topic.match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu)?.slice(0, 5) ?? [];
  const document: Record<string, unknown> = {
    topic,
    summary: `A made-up answer about “${topic}” from the local upstream.`,
    keywords: keywords.length > 0 ? keywords : ['streaming'],
    confidence: Math.round((0.5 + random() * 0.5) * 100) / 100,
    steps: [pick(random, STEPS), pick(random, STEPS), pick(random, STEPS)],
    locale: 'naïve café — 東京 🚀',
    complete: true,
  };
  if (lengthTokens !== undefined) {
    const details: string[] = [];
    let estimate = splitIntoTokens(JSON.stringify(document, null, 2)).length;
    while (estimate < lengthTokens) {
      const detail = `Detail ${details.length + 1}: ${pick(random, STEPS).toLowerCase()} for ${topic}.`;
      details.push(detail);
      // An array element costs its own tokens plus indentation, quotes and a comma.
      estimate += splitIntoTokens(JSON.stringify(detail)).length + 2;
    }
    document['details'] = details;
  }
  return JSON.stringify(document, null, 2);
}
