import type { ModelConfig } from './config.js';
import type { HeaderRecord } from '../request/cors.js';
import { StreamError } from '../stream-error.js';

/** One model a page may ask for, as `GET /api/chat/stream?models` lists it. */
export interface ModelListing {
  /** The alias a request names in `model`. */
  id: string;
  /** The name of the provider behind the alias (`openai`, `anthropic`, an `AI_STREAM_PROVIDERS` name…). */
  provider: string;
  /** Whether the model is asked to think, so its answers may start with `reasoning` events. */
  reasoning: boolean;
}

/** Body of `GET /api/chat/stream?models`. */
export interface ModelsBody {
  /** Every alias the server accepts, in configuration order. */
  models: ModelListing[];
  /** The alias a request without `model` gets. */
  default: string;
}

/**
 * What the listing reads of a model: the alias, the provider's name and whether it has
 * a thinking budget. Typed apart from `ModelConfig` so the listing can only ever copy
 * these fields: base URLs, keys and upstream model names stay on the server.
 */
type ListedModel = Pick<ModelConfig, 'alias' | 'provider'> & { thinkingBudget?: number };

/** The part of the configuration the listing depends on. */
export interface ModelCatalog {
  models: Readonly<Record<string, ListedModel>>;
  defaultModel: string;
}

/**
 * The aliases a page may offer, built field by field from the configuration. A model
 * reasons when it has a thinking budget: that is what makes the adapters ask the
 * provider for reasoning.
 */
export function listModels(catalog: ModelCatalog): ModelsBody {
  const models = Object.values(catalog.models).map((model) => ({
    id: model.alias,
    provider: model.provider,
    reasoning: model.thinkingBudget !== undefined,
  }));
  return { models, default: catalog.defaultModel };
}

/**
 * `GET /api/chat/stream?models`: the aliases as JSON, so a page can offer a choice of
 * model. Public (it names aliases and provider names only), cacheable for a minute,
 * and varied by Origin because the CORS headers are. With no provider configured it
 * is the same `503 no_provider` a POST gets.
 *
 * @example
 * // {"models":[{"id":"gpt-4o-mini","provider":"openai","reasoning":false}],"default":"gpt-4o-mini"}
 * const { models } = await (await fetch('/api/chat/stream?models')).json();
 */
export function modelsResponse(catalog: ModelCatalog, cors: HeaderRecord): Response {
  if (!catalog.defaultModel) throw new StreamError('no_provider', 'No model provider is configured on the server.', { status: 503 });
  return new Response(JSON.stringify(listModels(catalog)), {
    status: 200,
    headers: {
      ...cors,
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'public, max-age=60',
      // A shared cache must not hand the answer for one Origin (or none) to another.
      vary: 'Origin',
    },
  });
}
