// @ts-check
// The demo's model picker: lists the aliases the server offers (GET …?models) in a
// native <select>, which brings keyboard use and screen-reader names for free, and
// points one chat at the alias picked. The picker belongs to the page, not the
// element: on a real site the owner picks the model and visitors do not.

/** @typedef {{ id: string, provider: string, reasoning: boolean }} ModelListing */
/** @typedef {{ models: ModelListing[], default: string }} ModelsBody */

/** More than any real configuration lists; a longer answer is cut, not rendered whole. */
const MAX_MODELS = 200;

/**
 * Fills `select` from the server's model list, selects the server's default, and sets
 * the chat's `model` to the alias picked (now and on every change). On failure the
 * select stays disabled, `status` says why, and the chat keeps the server's default.
 *
 * @param {HTMLSelectElement} select
 * @param {HTMLElement & { model?: string }} chat
 * @param {HTMLElement | null} status a live region for a failure to load
 * @returns {Promise<void>}
 */
export async function startModelPicker(select, chat, status) {
  let body;
  try {
    body = await fetchModels(chat.getAttribute('endpoint') ?? '/api/chat/stream');
  } catch (error) {
    select.replaceChildren(new Option('Server default', ''));
    if (status) status.textContent = `Could not load the model list (${error instanceof Error ? error.message : String(error)}); the server's default model answers.`;
    return;
  }
  select.replaceChildren(...body.models.map((model) => new Option(optionLabel(model), model.id)));
  const initial = body.models.some((model) => model.id === body.default) ? body.default : (body.models[0]?.id ?? '');
  select.value = initial;
  chat.model = initial;
  select.addEventListener('change', () => {
    chat.model = select.value;
  });
  select.disabled = false;
}

/**
 * `gpt-4o-mini (openai)`, `qwen3 (ollama, thinks)`: the provider beside the alias, in
 * words a screen reader reads as they are.
 *
 * @param {ModelListing} model
 */
export function optionLabel(model) {
  return `${model.id} (${model.provider}${model.reasoning ? ', thinks' : ''})`;
}

/**
 * The server's model list, checked field by field: the page puts these strings in
 * option labels (as text), so a malformed answer must fail here rather than render.
 *
 * @param {string} endpoint
 * @returns {Promise<ModelsBody>}
 */
async function fetchModels(endpoint) {
  const url = new URL(endpoint, location.href);
  url.searchParams.set('models', '');
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  /** @type {unknown} */
  const json = await response.json();
  const record = /** @type {Record<string, unknown>} */ (typeof json === 'object' && json !== null ? json : {});
  const { models, default: fallback } = record;
  if (!Array.isArray(models) || models.length === 0 || typeof fallback !== 'string') throw new Error('not a model list');
  return { models: models.slice(0, MAX_MODELS).map(listing), default: fallback };
}

/**
 * @param {unknown} value
 * @returns {ModelListing}
 */
function listing(value) {
  const { id, provider, reasoning } = /** @type {Record<string, unknown>} */ (typeof value === 'object' && value !== null ? value : {});
  if (typeof id !== 'string' || !id || typeof provider !== 'string') throw new Error('not a model list');
  return { id, provider, reasoning: reasoning === true };
}
