import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWER_TOKENS } from '../../demo/upstream/markdown-answer.js';
import { planOpenAIChatAnswer } from '../../demo/upstream/openai-chat-request.js';
import type { OpenAIChatRequest } from '../../demo/upstream/openai-chat-request.js';

function ask(content: string, extra: Partial<OpenAIChatRequest> = {}): OpenAIChatRequest {
  return { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content }], ...extra };
}

describe('planOpenAIChatAnswer', () => {
  it('writes a markdown document about the prompt, with the features a renderer must handle', () => {
    const { text } = planOpenAIChatAnswer(ask('Explain backpressure'));
    expect(text.startsWith('# Explain backpressure\n')).toBe(true);
    expect(text).toMatch(/\n- \*\*/);
    expect(text).toMatch(/\n```ts\n[\s\S]*\n```\n/);
    expect(text).toContain('naïve café — 東京 🚀');
  });

  it('is deterministic and depends on the prompt', () => {
    expect(planOpenAIChatAnswer(ask('one')).deltas).toEqual(planOpenAIChatAnswer(ask('one')).deltas);
    expect(planOpenAIChatAnswer(ask('one')).text).not.toBe(planOpenAIChatAnswer(ask('two')).text);
  });

  it('answers a few hundred tokens by default, ending where a paragraph ends', () => {
    const plan = planOpenAIChatAnswer(ask('default length'));
    expect(plan.deltas.length).toBeGreaterThanOrEqual(DEFAULT_ANSWER_TOKENS);
    expect(plan.deltas.length).toBeLessThan(DEFAULT_ANSWER_TOKENS + 150);
    expect(plan.text.endsWith('\n')).toBe(true);
    expect(plan.finishReason).toBe('stop');
  });

  it('[[length:N]] gives exactly N tokens and leaves the marker out of the text', () => {
    for (const n of [0, 1, 17, 5000]) {
      const plan = planOpenAIChatAnswer(ask(`About caching [[length:${n}]]`));
      expect(plan.deltas).toHaveLength(n);
      expect(plan.usage.completion_tokens).toBe(n);
      expect(plan.text).not.toContain('[[');
    }
  });

  it('max_tokens and max_completion_tokens cut the answer and finish with "length"', () => {
    const byMaxTokens = planOpenAIChatAnswer(ask('cut me', { max_tokens: 7 }));
    expect(byMaxTokens.deltas).toHaveLength(7);
    expect(byMaxTokens.finishReason).toBe('length');
    const byCompletion = planOpenAIChatAnswer(ask('cut me', { max_tokens: 50, max_completion_tokens: 9 }));
    expect(byCompletion.deltas).toHaveLength(9);
    expect(planOpenAIChatAnswer(ask('short [[length:3]]', { max_tokens: 3 })).finishReason).toBe('stop');
  });

  it('usage is self-consistent: completion = deltas, prompt = ceil(chars/4) + 3 per message + 3', () => {
    const plan = planOpenAIChatAnswer(ask('12345678 [[length:10]]'));
    const promptTokens = 3 + (Math.ceil('Be brief.'.length / 4) + 3) + (Math.ceil('12345678 [[length:10]]'.length / 4) + 3);
    expect(plan.usage).toMatchObject({ prompt_tokens: promptTokens, completion_tokens: 10, total_tokens: promptTokens + 10 });
  });

  it('reads text parts when content is an array', () => {
    const plan = planOpenAIChatAnswer({
      model: 'm',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Parts work' }, { type: 'text', text: ' [[length:4]]' }] }],
    });
    expect(plan.deltas).toHaveLength(4);
    expect(plan.text).toBe('# Parts work'.slice(0, plan.text.length));
  });

  it('json_object mode yields a JSON object about the prompt, in small deltas', () => {
    const plan = planOpenAIChatAnswer(ask('list fruits', { response_format: { type: 'json_object' } }));
    const parsed: unknown = JSON.parse(plan.text);
    expect(parsed).toMatchObject({ topic: 'list fruits', locale: 'naïve café — 東京 🚀' });
    expect(Math.max(...plan.deltas.map((delta) => Array.from(delta).length))).toBeLessThanOrEqual(4);
  });

  it('json_object with [[length:N]] stays valid JSON of about N tokens', () => {
    const plan = planOpenAIChatAnswer(ask('big [[length:2000]]', { response_format: { type: 'json_object' } }));
    expect(() => JSON.parse(plan.text) as unknown).not.toThrow();
    expect(plan.deltas.length).toBeGreaterThanOrEqual(2000);
    expect(plan.deltas.length).toBeLessThan(2100);
  });

  it('json_schema mode yields a document shaped by the schema', () => {
    const schema = { type: 'object', properties: { city: { type: 'string' }, rank: { type: 'integer', minimum: 1, maximum: 3 } }, required: ['city', 'rank'], additionalProperties: false };
    const plan = planOpenAIChatAnswer(ask('cities', { response_format: { type: 'json_schema', json_schema: { name: 'cities', schema, strict: true } } }));
    const parsed = JSON.parse(plan.text) as { city: unknown; rank: number };
    expect(Object.keys(parsed)).toEqual(['city', 'rank']);
    expect(typeof parsed.city).toBe('string');
    expect([1, 2, 3]).toContain(parsed.rank);
  });

  it('bounds a huge prompt to a short topic', () => {
    const plan = planOpenAIChatAnswer(ask('x'.repeat(100_000)));
    expect(plan.topic.length).toBeLessThanOrEqual(81);
  });
});
