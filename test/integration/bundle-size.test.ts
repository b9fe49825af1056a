import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, parseSync, Visitor } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The script-tag file's budget, min+gzip (gzip level 9): 24 KB, as issue 13 sets it for the product features. */
const budgetBytes = 24 * 1024;
/**
 * The lazy chunks the element loads itself with `import()`, each with its own budget,
 * min+gzip (issue 13: anything lazy has its own), and a string that shows it is that chunk.
 */
const lazyChunks = [
  { name: 'highlight', what: 'highlighter, loaded on the first labelled code block', budget: 4 * 1024, marker: 'CSS.highlights' },
  { name: 'launcher-shell', what: "launcher mode's button and styles, loaded when launcher is set", budget: 1152, marker: 'launcher-button' },
  {
    name: 'chat-persistence',
    what: 'Web Storage persistence, loaded when persist is set, a reload record waits or the first message is sent',
    budget: 1536,
    marker: 'pagehide',
  },
] as const;

const root = fileURLToPath(new URL('../..', import.meta.url));
let outDir: string;
let scriptTagFile: string;
/** Each lazy chunk's path (`./chunks/<name>-<hash>.js`) and code, by name. */
const chunks = new Map<string, { path: string; code: string }>();

/**
 * Builds with the project's own vite config (the same as `npm run build`) into a
 * temporary folder, so the figure is always that of the current sources and a build
 * in progress elsewhere never sees its dist/ replaced under it.
 */
async function buildMode(mode: string): Promise<void> {
  // Vitest sets NODE_ENV=test, which would make vite resolve Lit's development build.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root,
      configFile: join(root, 'vite.config.ts'),
      mode,
      logLevel: 'warn',
      build: { outDir, emptyOutDir: mode === 'production' },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'ai-stream-chat-build-'));
  await buildMode('production');
  await buildMode('package');
  scriptTagFile = readFileSync(join(outDir, 'ai-stream-chat.js'), 'utf8');
  for (const path of dynamicImportsOf(scriptTagFile)) {
    const name = /^\.\/chunks\/([\w-]+)-[\w]+\.js$/.exec(path)?.[1];
    if (name) chunks.set(name, { path, code: readFileSync(join(outDir, path), 'utf8') });
  }
}, 120_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Every `import` the module makes: static, dynamic, and `export … from`. */
function importsOf(code: string): string[] {
  const sources: string[] = [];
  const { program } = parseSync('bundle.js', code);
  new Visitor({
    ImportDeclaration: (node) => void sources.push(node.source.value),
    ImportExpression: () => void sources.push('import()'),
    ExportNamedDeclaration: (node) => void (node.source && sources.push(node.source.value)),
    ExportAllDeclaration: (node) => void sources.push(node.source.value),
  }).visit(program);
  return sources;
}

/** The specifiers of the module's `import()` calls (a string or a template without substitutions; else `?`). */
function dynamicImportsOf(code: string): string[] {
  const specifiers: string[] = [];
  const { program } = parseSync('bundle.js', code);
  new Visitor({
    ImportExpression: (node) => {
      const source = node.source;
      if (source.type === 'Literal' && typeof source.value === 'string') specifiers.push(source.value);
      else if (source.type === 'TemplateLiteral' && source.expressions.length === 0) specifiers.push(source.quasis[0]?.value.cooked ?? '?');
      else specifiers.push('?');
    },
  }).visit(program);
  return specifiers;
}

const gzipBytes = (code: string): number => gzipSync(code, { level: 9 }).length;

function expectNoEvalNorThirdParty(code: string): void {
  expect(code).not.toMatch(/\beval\s*\(/);
  expect(code).not.toMatch(/new\s+Function\s*\(/);
  const urls = code.match(/https?:\/\/[^\s"'`)<>]+/g) ?? [];
  // The only absolute URL: a base for resolving the endpoint outside a browser page.
  const thirdParty = urls.filter((url) => !/^http:\/\/localhost\/?$/.test(url));
  expect(thirdParty).toEqual([]);
}

describe('the script-tag file (dist/ai-stream-chat.js)', () => {
  it(`is at most ${budgetBytes / 1024} KB min+gzip`, () => {
    const raw = Buffer.byteLength(scriptTagFile);
    const gzipped = gzipBytes(scriptTagFile);
    console.log(
      `dist/ai-stream-chat.js: ${(raw / 1024).toFixed(1)} KB minified, ${(gzipped / 1024).toFixed(2)} KB gzip ` +
        `(${gzipped} bytes; budget ${budgetBytes}, ${budgetBytes - gzipped} to spare)`,
    );
    expect(gzipped).toBeLessThanOrEqual(budgetBytes);
  });

  it('is one self-contained module that registers the element', () => {
    // No static import: one script tag loads the element. The import() calls are the lazy chunks', each made when needed.
    expect(importsOf(scriptTagFile), 'no static imports').toEqual(lazyChunks.map(() => 'import()'));
    expect([...chunks.keys()].sort()).toEqual(lazyChunks.map((chunk) => chunk.name).sort());
    expect(scriptTagFile).toContain('customElements.define');
    // Minified for real, not only mangled: library mode alone keeps the indentation.
    expect(scriptTagFile.split('\n').length).toBeLessThan(scriptTagFile.length / 1000);
  });

  it('needs no eval and names no third-party URL', () => {
    expectNoEvalNorThirdParty(scriptTagFile);
  });
});

describe.each(lazyChunks)('the lazy chunk dist/chunks/$name-*.js ($what)', ({ name, budget, marker }) => {
  const chunk = (): { path: string; code: string } => chunks.get(name) ?? { path: '', code: '' };

  it(`is at most ${budget} bytes min+gzip`, () => {
    const { path, code } = chunk();
    const gzipped = gzipBytes(code);
    console.log(`dist/${path.slice(2)}: ${(Buffer.byteLength(code) / 1024).toFixed(1)} KB minified, ${gzipped} bytes gzip (budget ${budget}, ${budget - gzipped} to spare)`);
    expect(code.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(budget);
  });

  it('imports nothing (no code of the element split out of the script-tag file), no eval, no third-party URL', () => {
    const { code } = chunk();
    expect(importsOf(code)).toEqual([]);
    expect(code).toContain(marker);
    expectNoEvalNorThirdParty(code);
  });
});

/** Each locale file's budget, min+gzip: a page loads one beside the script-tag file, for its visitors' language. */
const localeBudgetBytes = 1536;

describe('the locale files (dist/locales/*.js)', () => {
  const locales = (): string[] => readdirSync(join(outDir, 'locales')).filter((name) => name.endsWith('.js'));

  it('are built, one per widget/locales/*.ts', () => {
    const sources = readdirSync(join(root, 'widget/locales')).filter((name) => name.endsWith('.ts'));
    expect(locales().sort()).toEqual(sources.map((name) => name.replace(/\.ts$/, '.js')).sort());
  });

  it(`are each at most ${localeBudgetBytes} bytes min+gzip`, () => {
    const sizes = Object.fromEntries(
      locales().map((name) => [name, gzipSync(readFileSync(join(outDir, 'locales', name)), { level: 9 }).length]),
    );
    console.log(`dist/locales: ${Object.entries(sizes).map(([name, bytes]) => `${name} ${bytes} B`).join(', ')} gzip (budget ${localeBudgetBytes} each)`);
    for (const [name, bytes] of Object.entries(sizes)) expect(bytes, name).toBeLessThanOrEqual(localeBudgetBytes);
  });

  it('register with the script-tag file next to them, and import nothing else', () => {
    expect(scriptTagFile).toMatch(/export\s*\{[^}]*\bregisterLocale\b/);
    for (const name of locales()) {
      const code = readFileSync(join(outDir, 'locales', name), 'utf8');
      expect(importsOf(code), name).toEqual(['../ai-stream-chat.js']);
      expect(code, name).not.toMatch(/https?:\/\//);
    }
  });
});

describe('the package entries', () => {
  it('the React entry reuses the script-tag file instead of bundling a second element and Lit', () => {
    const react = readFileSync(join(outDir, 'react.js'), 'utf8');
    const imports = importsOf(react);
    expect(imports).toContain('./ai-stream-chat.js');
    expect(imports.filter((source) => !source.startsWith('.'))).toEqual(expect.arrayContaining(['react', '@lit/react']));
    expect(react).not.toContain('customElements.define');
    expect(react).not.toContain('LitElement');
  });

  it('the client entry carries no Lit and no element', () => {
    const client = readFileSync(join(outDir, 'client.js'), 'utf8');
    const chunks = importsOf(client).map((source) => readFileSync(join(outDir, source), 'utf8'));
    for (const code of [client, ...chunks]) {
      expect(code).not.toContain('customElements.define');
      expect(code).not.toMatch(/lit-html|LitElement/);
    }
  });
});
