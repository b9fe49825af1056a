import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ThinkTagSplitter } from '../../api/_lib/upstream/providers/think-tag-splitter.js';
import { splitAt } from '../support/random-splits.js';

/** What the splitter must make of the whole content, written the plain way. */
function reference(content: string): { reasoning: string; text: string } {
  if (!content.startsWith('<think>')) return { reasoning: '', text: content };
  const close = content.indexOf('</think>', '<think>'.length);
  if (close < 0) return { reasoning: content.slice('<think>'.length).trimStart(), text: '' };
  return { reasoning: content.slice('<think>'.length, close).trimStart(), text: content.slice(close + '</think>'.length).trimStart() };
}

/** Streams the pieces through one splitter; also checks that reasoning never follows text. */
function split(pieces: readonly string[]): { reasoning: string; text: string } {
  const splitter = new ThinkTagSplitter();
  let reasoning = '';
  let text = '';
  for (const out of [...pieces.map((piece) => splitter.push(piece)), splitter.end()]) {
    if (out.reasoning !== '' && text !== '') throw new Error(`reasoning ${JSON.stringify(out.reasoning)} after text`);
    reasoning += out.reasoning;
    text += out.text;
  }
  return { reasoning, text };
}

// Fragments that make tags, near-tags and whitespace likely, with multi-unit characters.
const fragment = fc.constantFrom('<think>', '</think>', '<', '</', '<th', 'think', 'ink>', '>', '/', ' ', '\n', '\n\n', 'a', 'é', '🚀', '東京', '<b>', '</thinker>');
const content = fc.oneof(
  fc.array(fragment, { maxLength: 30 }).map((parts) => parts.join('')),
  fc.array(fragment, { maxLength: 30 }).map((parts) => `<think>${parts.join('')}`),
  fc.tuple(fc.array(fragment, { maxLength: 15 }), fc.array(fragment, { maxLength: 15 })).map(([a, b]) => `<think>${a.join('')}</think>${b.join('')}`),
);

describe('ThinkTagSplitter', () => {
  it('splits the same way however the content is cut into deltas (property)', () => {
    fc.assert(
      fc.property(content, fc.array(fc.nat({ max: 80 }), { maxLength: 20 }), (whole, cuts) => {
        expect(split(splitAt(whole, cuts))).toEqual(reference(whole));
      }),
      { numRuns: 3000 },
    );
  });

  it('splits one character at a time', () => {
    const whole = '<think>\n  Let me see: 2 < 3 </thinking? no.</think>\n\nYes, 2 < 3.';
    expect(split([...whole])).toEqual({ reasoning: 'Let me see: 2 < 3 </thinking? no.', text: 'Yes, 2 < 3.' });
  });

  it('passes content that does not open with <think> through at once, a later tag included', () => {
    const splitter = new ThinkTagSplitter();
    expect(splitter.push('Hi <think>')).toEqual({ reasoning: '', text: 'Hi <think>' });
    expect(splitter.passing).toBe(true);
    expect(splitter.push('</think>')).toEqual({ reasoning: '', text: '</think>' });
  });

  it('holds at most a tag\'s length, and only while it may be a tag', () => {
    const splitter = new ThinkTagSplitter();
    expect(splitter.push('<thin')).toEqual({ reasoning: '', text: '' });
    expect(splitter.push('g')).toEqual({ reasoning: '', text: '<thing' });
    const thinking = new ThinkTagSplitter();
    expect(thinking.push('<think>a long thought </thi')).toEqual({ reasoning: 'a long thought ', text: '' });
    expect(thinking.push('s is not it')).toEqual({ reasoning: '</this is not it', text: '' });
  });
});
