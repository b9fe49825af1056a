import { splitIntoTokens } from '../../../demo/upstream/tokenize.js';

const fence = '```';

/** One code block of about 80 tokens: TypeScript, Python, shell, or a block without a language. */
function codeBlock(part: number): string {
  switch (part % 4) {
    case 0:
      return [
        `${fence}ts`,
        `// Part ${part}: read the stream and keep what arrived.`,
        'export async function collect(stream: ReadableStream<string>): Promise<string> {',
        "  let text = '';",
        '  for await (const piece of stream) text += piece; /* no copy */',
        `  return text.length > ${part * 10} ? text : "short";`,
        '}',
        fence,
      ].join('\n');
    case 1:
      return [
        `${fence}python`,
        `# Part ${part}: count the words of an answer`,
        'def count(text: str) -> int:',
        '    """How many words, roughly."""',
        `    return len([w for w in text.split() if w]) + ${part}`,
        'print(count("a streamed answer"), True, None)',
        fence,
      ].join('\n');
    case 2:
      return [`${fence}bash`, `# Part ${part}`, 'for f in *.log; do', `  grep -c "error" "$f" || echo 'none'`, 'done', fence].join('\n');
    default:
      return [fence, `plain text block ${part}`, '  with two lines of output', fence].join('\n');
  }
}

function section(part: number): string {
  return [
    `## Part ${part}: streams and renderers`,
    '',
    `A streaming answer reaches the reader before the whole reply exists, with **bold**, *emphasis*, \`inline code\` and a [link](https://example.com/${part}). ` +
      'Each delta is small; the renderer merges adjacent text so a long answer does not leave one node per token.',
    '',
    '- the first point, short',
    '- the second point, with `code` in it',
    '',
    codeBlock(part),
    '',
    'After the block, a closing paragraph that says what the code above does, in plain words, for readers who skim.',
    '',
  ].join('\n');
}

/**
 * The render bench's answer: `count` tokens (the local upstream's tokenizer) of markdown
 * with a heading, paragraphs, a list and a code block per section; three sections in
 * four have a labelled code block (TypeScript, Python, shell), the fourth an unlabelled one.
 */
export function benchAnswerTokens(count: number): string[] {
  const tokens: string[] = [];
  for (let part = 1; tokens.length < count; part++) tokens.push(...splitIntoTokens(section(part)));
  return tokens.slice(0, count);
}
