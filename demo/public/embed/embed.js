// @ts-check
// The embed page runs on the demo's second origin, whose port is picked at start-up,
// so it learns the main origin (where the widget and the API live) from `?api=`.
// Then it does what a site owner's page does with a fixed URL: one script tag, and
// the element's `endpoint` pointing at the API.

const status = document.querySelector('#embed-status');
const snippet = document.querySelector('#snippet');
const pageOrigin = document.querySelector('#page-origin');
if (pageOrigin) pageOrigin.textContent = location.origin;

/** The origin named by `?api=`, when it is an http(s) URL. */
function apiOrigin() {
  const raw = new URLSearchParams(location.search).get('api');
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

const origin = apiOrigin();
const chat = document.querySelector('ai-stream-chat');
if (!origin || !chat) {
  if (status) status.textContent = 'No chat origin given: open this page from the demo page (it adds ?api=).';
} else {
  const scriptUrl = `${origin}/dist/ai-stream-chat.js`;
  const endpoint = `${origin}/api/chat/stream`;
  chat.setAttribute('endpoint', endpoint);
  const script = document.createElement('script');
  script.type = 'module';
  script.src = scriptUrl;
  script.addEventListener('error', () => {
    if (status) status.textContent = `Could not load ${scriptUrl}. Is the demo server running, and built (npm run build)?`;
  });
  document.head.append(script);
  if (snippet) {
    snippet.textContent = `<script type="module" src="${scriptUrl}"></script>\n<ai-stream-chat endpoint="${endpoint}"></ai-stream-chat>`;
  }
}
