// @ts-check
// The demo page's script: gives the JSON chat its schema, wires the "try" buttons and
// the model picker, and finds the embed page's origin. An external file because the
// page's CSP forbids inline script, as a careful site's would.

import { startModelPicker } from './model-picker.js';

/** What the JSON chat asks the model for: a small trip plan. */
const tripPlanSchema = {
  type: 'object',
  properties: {
    destination: { type: 'string' },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    plan: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          day: { type: 'integer' },
          morning: { type: 'string' },
          afternoon: { type: 'string' },
        },
        required: ['day', 'morning', 'afternoon'],
        additionalProperties: false,
      },
    },
    budgetEuros: { type: 'number' },
  },
  required: ['destination', 'days', 'plan', 'budgetEuros'],
  additionalProperties: false,
};

const jsonChat = document.querySelector('#json-chat');
if (jsonChat) Object.assign(jsonChat, { schema: tripPlanSchema });

for (const button of document.querySelectorAll('button[data-prompt]')) {
  button.addEventListener('click', () => {
    const chat = document.getElementById(button.dataset.chat ?? '');
    if (chat && 'send' in chat && typeof chat.send === 'function') void chat.send(button.dataset.prompt ?? '');
  });
}

const modelSelect = document.querySelector('#model-select');
const pickedChat = modelSelect instanceof HTMLSelectElement ? document.getElementById(modelSelect.dataset.chat ?? '') : null;
if (modelSelect instanceof HTMLSelectElement && pickedChat) void startModelPicker(modelSelect, pickedChat, document.querySelector('#model-status'));

/**
 * The demo server serves the embed page from a second origin on a port it picks, and
 * names that origin in this page's CSP (the only other origin allowed): read it there.
 */
async function otherOrigin() {
  const response = await fetch(location.href, { method: 'HEAD', cache: 'no-store' });
  const policy = response.headers.get('content-security-policy') ?? '';
  return /script-src 'self' (https?:\/\/[^\s;]+)/.exec(policy)?.[1];
}

const embedLink = document.querySelector('#embed-link');
if (embedLink instanceof HTMLAnchorElement) {
  void otherOrigin().then((origin) => {
    if (!origin) return;
    // The embed page learns where the script and the API live from `?api=`.
    embedLink.href = `${origin}/?api=${encodeURIComponent(location.origin)}`;
    embedLink.hidden = false;
  });
}
