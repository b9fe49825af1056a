import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildEnvironmentOptions, Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { minifyLitTemplates } from './widget/build/minify-lit-templates.js';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

// React stays the app's own copy in the package entries: bundling it would ship a
// second React, and hooks break across two copies.
const reactExternals = /^(react|react-dom|@lit\/react)(\/.*)?$/;

/**
 * In the package build, the React entry takes the element from the script-tag file
 * (`./ai-stream-chat.js`) instead of carrying a second copy of it and of Lit: one
 * element class per page, and the only module with a side effect (it calls
 * `customElements.define`) stays the one that `sideEffects` names. The locale files
 * (`dist/locales/*.js`) take `registerLocale` from it too, so they register with the
 * very element the page runs.
 */
function elementFromScriptTagFile(): Plugin {
  const elementModules = new Set([here('widget/ai-stream-chat.ts'), here('widget/define.ts')]);
  const localeRegistry = here('widget/i18n.ts');
  return {
    name: 'ai-stream-chat:element-from-script-tag-file',
    enforce: 'pre',
    apply: 'build',
    async resolveId(source, importer, options) {
      const fromReact = importer?.startsWith(here('widget/react/')) ?? false;
      const fromLocale = importer?.startsWith(here('widget/locales/')) ?? false;
      if (!fromReact && !fromLocale) return null;
      const resolved = await this.resolve(source, importer, options);
      // Kept as written: react.js sits next to ai-stream-chat.js in dist/, the locales one folder down.
      if (fromReact && resolved && elementModules.has(resolved.id)) return { id: './ai-stream-chat.js', external: true };
      if (fromLocale && resolved?.id === localeRegistry) return { id: '../ai-stream-chat.js', external: true };
      return null;
    },
  };
}

/** One package entry per shipped locale: `widget/locales/de.ts` → `dist/locales/de.js`. */
const localeEntries = Object.fromEntries(
  readdirSync(here('widget/locales'))
    .filter((name) => name.endsWith('.ts'))
    .map((name) => [`locales/${name.slice(0, -'.ts'.length)}`, here(`widget/locales/${name}`)]),
);

// Library mode keeps whitespace and /*@__PURE__*/ notes for an app's bundler to
// tree-shake; files that go to browsers as they are get full minification.
const forBrowsers = { minify: { codegen: true }, comments: { annotation: false } } as const;

/**
 * The widget build, one output per mode (`npm run build` runs all three):
 * - default (`production`): the script-tag file, `dist/ai-stream-chat.js`, one
 *   self-contained ES module with Lit inside and no static imports, so a single
 *   `<script type="module">` tag is all a page needs, plus the highlighter chunk
 *   `dist/chunks/highlight-*.js` that it loads itself when a code block appears;
 * - `package`: the npm entries `dist/client.js`, `dist/react.js` (React external) and
 *   the locale files `dist/locales/*.js`;
 * - `demo`: the React example of the demo site, `dist/demo/react-app.js` (React bundled,
 *   kept out of the package's files).
 */
function buildFor(mode: string): BuildEnvironmentOptions {
  const common = {
    outDir: 'dist',
    target: 'es2022',
    minify: 'oxc',
    sourcemap: true,
    copyPublicDir: false,
    // The size test measures gzip itself; skipping the report keeps the build fast.
    reportCompressedSize: false,
  } satisfies BuildEnvironmentOptions;
  if (mode === 'package') {
    return {
      ...common,
      emptyOutDir: false,
      lib: {
        entry: { client: here('widget/client.ts'), react: here('widget/react/index.ts'), ...localeEntries },
        formats: ['es'],
        fileName: (_format, name) => `${name}.js`,
      },
      rolldownOptions: {
        external: (id) => reactExternals.test(id),
        output: { chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    };
  }
  if (mode === 'demo') {
    return {
      ...common,
      emptyOutDir: false,
      lib: {
        entry: { 'react-app': here('demo/react-app/main.tsx') },
        formats: ['es'],
        fileName: (_format, name) => `demo/${name}.js`,
      },
      sourcemap: false,
      rolldownOptions: { output: { codeSplitting: false, ...forBrowsers } },
    };
  }
  return {
    ...common,
    emptyOutDir: true,
    lib: {
      entry: { 'ai-stream-chat': here('widget/index.ts') },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rolldownOptions: {
      treeshake: { manualPureFunctions: ['console.assert'] },
      output: {
        // Nothing external, and one file for the script tag. The only other chunk is the
        // highlighter, which the element imports with import() when a code block appears
        // (widget/code-highlighter.ts); it shares no module with the element, so nothing
        // is split out of the script-tag file (test/integration/bundle-size.test.ts).
        chunkFileNames: 'chunks/[name]-[hash].js',
        ...forBrowsers,
      },
    },
  };
}

// One config for the widget build (the `build` section) and the Node-side test suites
// (the `test` section). Browser component tests run through @web/test-runner instead.
export default defineConfig(({ mode }) => ({
  // React's production build in the demo bundle (library mode leaves NODE_ENV alone).
  ...(mode === 'demo' ? { define: { 'process.env.NODE_ENV': JSON.stringify('production') } } : {}),
  plugins: [minifyLitTemplates(/\/widget\/.+\.ts$/), ...(mode === 'package' ? [elementFromScriptTagFile()] : [])],
  build: buildFor(mode),
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration suites start real servers on 127.0.0.1; two cores, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'node', include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      // Fixture apps (Next.js, Hono, Express, Vue, Svelte, React) built on the packed
      // tarball, which the global setup makes once per run from the built dist/. They
      // run after the suites above (groupOrder), so their builds never load the cores
      // under a timing-sensitive test.
      {
        extends: true,
        test: {
          name: 'packaging',
          include: ['test/packaging/**/*.test.ts'],
          globalSetup: ['test/packaging/support/global-setup.ts'],
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
}));
