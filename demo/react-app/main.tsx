/**
 * The demo's React example (`/react.html`): the hook and the wrapper side by side.
 * Built by `vite build --mode demo` into dist/demo/, outside the script-tag bundle.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { HookExample } from './hook-example.js';
import { WrapperExample } from './wrapper-example.js';

const root = document.getElementById('root');
if (root) {
  // StrictMode mounts twice in development: the hook must abort and restart cleanly.
  createRoot(root).render(
    <StrictMode>
      <HookExample />
      <WrapperExample />
    </StrictMode>,
  );
}
