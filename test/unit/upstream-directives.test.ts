import { describe, expect, it } from 'vitest';
import { MAX_LENGTH_TOKENS, readDirectives, stripDirectives } from '../../demo/upstream/directives.js';
import { FaultLedger } from '../../demo/upstream/fault-ledger.js';
import { DEFAULT_PACE, resolvePace } from '../../demo/upstream/pace.js';

describe('readDirectives', () => {
  it('reads a fault without and with an attempt count', () => {
    expect(readDirectives('hi [[fault:drop]]')).toEqual({ fault: { name: 'drop' } });
    expect(readDirectives('[[fault:429:2]] hi')).toEqual({ fault: { name: '429', attempts: 2 } });
  });

  it('reads length and pace, and the first marker of a kind wins', () => {
    expect(readDirectives('[[length:40]] [[length:9]] [[pace:10,200]]')).toEqual({
      lengthTokens: 40,
      pace: { firstTokenMs: 10, tokensPerSecond: 200 },
    });
  });

  it('reads an exact first token for benchmarks, and nothing else in third place', () => {
    expect(readDirectives('[[pace:100,0,exact]]').pace).toEqual({ firstTokenMs: 100, tokensPerSecond: 0, exact: true });
    expect(readDirectives('[[pace:100,0,soon]]').pace).toBeUndefined();
  });

  it('bounds the length', () => {
    expect(readDirectives('[[length:999999999]]').lengthTokens).toBe(MAX_LENGTH_TOKENS);
  });

  it('ignores malformed and unknown markers', () => {
    expect(readDirectives('[[fault:explode]] [[length:-3]] [[pace:fast]] [[fault:500:x]] [fault:500]')).toEqual({});
  });

  it('only markers from the grammar are stripped from the topic', () => {
    expect(stripDirectives('  Tell me   [[fault:500:1]] about\n[[length:5]] SSE [[other]] ')).toBe(
      'Tell me about SSE [[other]]',
    );
  });
});

describe('FaultLedger', () => {
  it('faults the first N attempts of a conversation, then lets it through', () => {
    const ledger = new FaultLedger();
    const fault = { name: '429', attempts: 2 } as const;
    expect([1, 2, 3, 4].map(() => ledger.take(fault, 'a'))).toEqual(['429', '429', undefined, undefined]);
    expect(ledger.take(fault, 'b')).toBe('429');
  });

  it('faults every attempt without a count, and none without a fault', () => {
    const ledger = new FaultLedger();
    expect([1, 2, 3].map(() => ledger.take({ name: 'stall' }, 'a'))).toEqual(['stall', 'stall', 'stall']);
    expect(ledger.take(undefined, 'a')).toBeUndefined();
  });
});

describe('resolvePace', () => {
  it('prefers options, then the environment, then the default', () => {
    const env = { UPSTREAM_FIRST_TOKEN_MS: '50', UPSTREAM_TOKENS_PER_SECOND: '1000' };
    expect(resolvePace({ firstTokenMs: 0, tokensPerSecond: 0 }, env)).toEqual({ firstTokenMs: 0, tokensPerSecond: 0 });
    expect(resolvePace(undefined, env)).toEqual({ firstTokenMs: 50, tokensPerSecond: 1000 });
    expect(resolvePace(undefined, {})).toEqual(DEFAULT_PACE);
  });

  it('falls back on invalid environment values instead of throwing', () => {
    expect(resolvePace(undefined, { UPSTREAM_FIRST_TOKEN_MS: 'soon', UPSTREAM_TOKENS_PER_SECOND: '-4' })).toEqual(DEFAULT_PACE);
  });
});

describe('the echo marker', () => {
  it('answers with the message itself, markers removed, whitespace and markup kept', async () => {
    const { planAnswer } = await import('../../demo/upstream/answer-plan.js');
    const prompt = 'Line one\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) [[echo]]';
    const plan = planAnswer({ prompt, format: { type: 'text' } });
    expect(plan.deltas.join('')).toBe('Line one\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1)) ');
    expect(plan.directives.echo).toBe(true);
  });
});
