import { describe, expect, it } from 'vitest';
import { planAnswer } from '../../demo/upstream/answer-plan.js';
import { readDirectives, stripDirectives } from '../../demo/upstream/directives.js';
import { planReasoning } from '../../demo/upstream/reasoning-plan.js';

describe('reasoning and usage markers', () => {
  it('reads [[reasoning:N]], [[reasoning-field:…]], [[no-usage]], [[cached:N]] and [[refusal]]', () => {
    expect(readDirectives('hi [[reasoning:40]] [[reasoning-field:reasoning]] [[no-usage]] [[cached:7]] [[refusal]]')).toEqual({
      reasoningTokens: 40,
      reasoningField: 'reasoning',
      noUsage: true,
      cachedTokens: 7,
      refusal: true,
    });
  });

  it('ignores malformed ones, keeps the first valid one, and strips them all from the topic', () => {
    const text = 'Topic [[reasoning:x]] [[reasoning:3]] [[reasoning:9]] [[reasoning-field:other]] [[cached:-1]] end';
    expect(readDirectives(text)).toEqual({ reasoningTokens: 3 });
    expect(stripDirectives(text)).toBe('Topic end');
  });

  it('does not mistake [[reasoning-field:…]] for [[reasoning:N]]', () => {
    expect(readDirectives('[[reasoning-field:reasoning_content]]')).toEqual({ reasoningField: 'reasoning_content' });
    expect(readDirectives('[[reasoning-field:think]]')).toEqual({ reasoningField: 'think' });
  });
});

describe('planReasoning', () => {
  it.each([0, 1, 7, 64, 1000])('gives exactly %i deltas, deterministic for the same topic', (tokens) => {
    const deltas = planReasoning('Explain SSE', tokens);
    expect(deltas).toHaveLength(tokens);
    expect(planReasoning('Explain SSE', tokens)).toEqual(deltas);
    expect(deltas.every((delta) => delta !== '')).toBe(true);
  });

  it('never splits a character across deltas', () => {
    const deltas = planReasoning('naïve café — 東京 🚀', 300);
    expect(deltas.join('')).toContain('café');
    // A lone surrogate at either end of a delta would mean a code point was cut.
    expect(deltas.every((delta) => !/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(delta))).toBe(true);
    expect(deltas.join('')).toContain('🚀');
  });
});

describe('planAnswer with reasoning', () => {
  it('adds the reasoning without changing the answer text; the output cap cuts only the text', () => {
    const plain = planAnswer({ prompt: 'Explain SSE', format: { type: 'text' }, maxTokens: 10 });
    const thinking = planAnswer({ prompt: 'Explain SSE [[reasoning:25]]', format: { type: 'text' }, maxTokens: 10 });
    expect(plain.reasoning).toEqual([]);
    expect(thinking.reasoning).toHaveLength(25);
    expect(thinking.deltas).toEqual(plain.deltas);
    expect(thinking.truncated).toBe(true);
  });
});
