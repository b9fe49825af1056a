import { createRequire } from 'node:module';
import type { TestRunnerPlugin } from '@web/test-runner';
import { build } from 'esbuild';

const entries = ['react', 'react-dom', 'react-dom/client'];

/**
 * Lets browser tests `import { useState } from 'react'`. React ships only CommonJS
 * (reading `process.env.NODE_ENV`), which browsers cannot import: esbuild bundles
 * react, react-dom and react-dom/client into one ES module (so there is one copy of
 * React), and each bare import gets a facade re-exporting the names Node sees.
 *
 * Call it while the config loads: reading React's names later, inside a request,
 * trips over the test runner's console wrapper.
 */
export function reactAsEsm(): TestRunnerPlugin {
  const require = createRequire(import.meta.url);
  const names = Object.fromEntries(
    entries.map((entry) => [
      entry,
      Object.keys(require(entry) as object).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default'),
    ]),
  );
  let bundle: Promise<string> | undefined;
  return {
    name: 'react-as-esm',
    resolveImport({ source }) {
      return entries.includes(source) ? `/__react-esm/${source}.js` : undefined;
    },
    async serve(context) {
      if (context.path === '/__react-esm/bundle.js') {
        bundle ??= build({
          stdin: { contents: entries.map((entry, index) => `export * as m${index} from '${entry}';`).join('\n'), resolveDir: process.cwd() },
          bundle: true,
          format: 'esm',
          write: false,
          define: { 'process.env.NODE_ENV': '"development"' },
        }).then((result) => result.outputFiles[0]?.text ?? '');
        return { body: await bundle, type: 'js' };
      }
      const entry = /^\/__react-esm\/(.+)\.js$/.exec(context.path)?.[1] ?? '';
      const index = entries.indexOf(entry);
      if (index < 0) return undefined;
      const body = [
        `import { m${index} as module } from '/__react-esm/bundle.js';`,
        'export default module.default ?? module;',
        `export const { ${(names[entry] ?? []).join(', ')} } = module;`,
      ].join('\n');
      return { body, type: 'js' };
    },
  };
}
