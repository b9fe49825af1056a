import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../api/_lib/config/config.js';
import { listModels } from '../../api/_lib/config/models-endpoint.js';

const base: ModelConfig = {
  alias: 'claude-haiku',
  provider: 'anthropic',
  upstreamModel: 'claude-haiku-4-5',
  contextWindow: 200_000,
  maxOutputTokens: 8_192,
  encoding: 'o200k_base',
};

describe('listModels', () => {
  it('marks a model with a thinking budget as reasoning, and one without as not', () => {
    // Built apart from the literal: the field arrives with the provider configuration.
    const thinking = { ...base, alias: 'claude-sonnet-thinking', upstreamModel: 'claude-sonnet-4-5', thinkingBudget: 2_048 };
    const body = listModels({ models: { [base.alias]: base, [thinking.alias]: thinking }, defaultModel: 'claude-haiku' });
    expect(body).toEqual({
      models: [
        { id: 'claude-haiku', provider: 'anthropic', reasoning: false },
        { id: 'claude-sonnet-thinking', provider: 'anthropic', reasoning: true },
      ],
      default: 'claude-haiku',
    });
  });

  it('copies only the alias, the provider name and the reasoning flag', () => {
    const withEverything = { ...base, baseUrl: 'https://secret.example/v1', apiKey: 'sk-secret', fallbacks: [base] };
    const [listed] = listModels({ models: { a: withEverything }, defaultModel: 'claude-haiku' }).models;
    expect(Object.keys(listed ?? {}).sort()).toEqual(['id', 'provider', 'reasoning']);
  });
});
