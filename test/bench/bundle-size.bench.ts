/**
 * Bundle size (issues 4 and 13): the script-tag file `dist/ai-stream-chat.js`, already
 * minified by the build, compressed as a CDN would serve it (gzip level 9, brotli
 * quality 11), against the 24 KB min+gzip budget; and each lazy chunk it loads with
 * `import()` (the highlighter, the launcher, the persistence) against its own budget. The issue's figures for other
 * chat widgets are there for scale (quoted, not measured here).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { BenchSection } from './bench-section.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const entry = join(root, 'dist', 'ai-stream-chat.js');
const BUDGET_BYTES = 24 * 1024;
/** Each lazy locale file (`dist/locales/*.js`), min+gzip, as test/integration/bundle-size.test.ts checks it. */
const LOCALE_BUDGET_BYTES = 1536;
/** Lazy chunks the element loads with import(), by file-name prefix, and their own min+gzip budgets. */
const LAZY_BUDGETS: ReadonlyArray<readonly [prefix: string, what: string, bytes: number]> = [
  ['chunks/highlight-', 'highlighter', 4 * 1024],
  ['chunks/launcher-shell-', 'launcher', 1152],
  ['chunks/chat-persistence-', 'persistence', 1536],
];

/** As quoted in issue 4 (min+gzip); not measured here. */
const QUOTED: ReadonlyArray<readonly [string, number]> = [
  ['deep-chat', 126],
  ['flowise-embed', 284],
  ['@n8n/chat', 456],
  ["AI SDK's useChat + React", 199],
  ['Lit alone', 5.9],
];

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);

/** The entry and every module it imports statically, so a split build is counted whole. */
function moduleGraph(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  const imports = [...code.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[^'"`;]*?\bfrom\s*)?["']([^"']+)["']/g)].map((m) => m[1] ?? '');
  const local = imports.filter((s) => s.startsWith('./') || s.startsWith('../')).map((s) => join(dirname(file), s));
  return [file, ...local.flatMap((f) => moduleGraph(f, seen))];
}

/** The files the entry loads with a literal `import()` (lazy chunks), relative to dist/. */
function lazyChunks(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return [...code.matchAll(/\bimport\(\s*[`'"]\.\/([^`'"]+)[`'"]\s*\)/g)].map((m) => m[1] ?? '');
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    if (name.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|css)$/.test(name.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function hasBuildScript(): boolean {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  return typeof pkg.scripts?.['build'] === 'string';
}

/** The bundle-size section of docs/benchmarks.md. */
export default async function bundleSizeBench(): Promise<BenchSection> {
  const notes: string[] = [];
  if (!existsSync(entry) && hasBuildScript()) {
    process.stderr.write('  bundle size: dist/ai-stream-chat.js is missing; running npm run build…\n');
    try {
      execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (error) {
      notes.push(`npm run build failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  const title = 'Bundle size: the script-tag file';
  const columns = ['File', 'Raw (min) KB', 'gzip -9 KB', 'brotli -11 KB', 'Budget'];
  if (!existsSync(entry)) {
    return {
      title,
      method: 'dist/ai-stream-chat.js does not exist and could not be built, so nothing was measured.',
      columns,
      rows: [['dist/ai-stream-chat.js', 'NOT BUILT', '', '', '24 KB min+gzip']],
      verdicts: [`NOT BUILT: dist/ai-stream-chat.js is missing${hasBuildScript() ? '' : ' and package.json has no build script yet'}: FAIL`, ...notes.map((n) => `NOTE: ${n}`)],
    };
  }
  if (newestSource(join(root, 'widget')) > statSync(entry).mtimeMs) {
    notes.push('widget/ has files newer than dist/ai-stream-chat.js: the figures are for the last build; run `npm run build` for current ones.');
  }

  const files = moduleGraph(entry);
  // One concatenation: what a page downloads when every module is fetched (a split build
  // compresses each file separately, so this slightly flatters it).
  const code = Buffer.concat(files.map((f) => readFileSync(f)));
  const gzip = gzipSync(code, { level: 9 }).byteLength;
  const brotli = brotliCompressSync(code, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.byteLength },
  }).byteLength;
  const localeDir = join(root, 'dist', 'locales');
  const locales = existsSync(localeDir) ? readdirSync(localeDir).filter((name) => name.endsWith('.js')) : [];
  const localeSizes = locales.map((name) => {
    const bytes = readFileSync(join(localeDir, name));
    return { name: `dist/locales/${name}`, raw: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength };
  });
  const label = files.length === 1 ? 'dist/ai-stream-chat.js' : `dist/ai-stream-chat.js + ${files.length - 1} imported module(s)`;
  const lazy = lazyChunks(entry).map((name) => {
    const chunk = readFileSync(join(root, 'dist', name));
    const budget = LAZY_BUDGETS.find(([prefix]) => name.startsWith(prefix));
    const chunkGzip = gzipSync(chunk, { level: 9 }).byteLength;
    const chunkBrotli = brotliCompressSync(chunk, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).byteLength;
    return { name, raw: chunk.byteLength, gzip: chunkGzip, brotli: chunkBrotli, what: budget?.[1] ?? 'unbudgeted', budget: budget?.[2] };
  });

  return {
    title,
    method:
      'The script-tag file as the build leaves it (already minified), with every module it imports statically, compressed with node:zlib: gzip at level 9 and brotli at quality 11. The budget (issue 13) is 24 KB min+gzip. Lazy chunks (loaded by the element with import() only when needed: the highlighter, on the first labelled code block; the launcher button and its styles, when launcher is set; the persistence, when persist is set, a reload record waits or the first message is sent) are measured alone, each against its own budget. The other rows are the figures issue 4 quotes for other chat widgets, for scale: quoted, not measured here.',
    columns,
    rows: [
      [label, kb(code.byteLength), kb(gzip), kb(brotli), '≤ 24 KB gzip'],
      ...lazy.map((c) => [`dist/${c.name} (lazy: ${c.what})`, kb(c.raw), kb(c.gzip), kb(c.brotli), c.budget === undefined ? 'none' : `≤ ${kb(c.budget)} KB gzip`]),
      ...localeSizes.map((l) => [`${l.name} (loaded only when the page asks)`, kb(l.raw), kb(l.gzip), '', `≤ ${kb(LOCALE_BUDGET_BYTES)} KB gzip`]),
      ...QUOTED.map(([name, size]) => [`${name} (quoted in issue 4, not measured)`, '', size.toFixed(1), '', '']),
    ],
    verdicts: [
      `Script-tag file: ${kb(gzip)} KB min+gzip (${gzip} bytes; budget ≤ ${kb(BUDGET_BYTES)} KB): ${gzip <= BUDGET_BYTES ? 'PASS' : 'FAIL'}`,
      ...lazy.map((c) =>
        c.budget === undefined
          ? `Lazy chunk dist/${c.name} has no budget: FAIL`
          : `Lazy ${c.what} chunk: ${kb(c.gzip)} KB min+gzip (${c.gzip} bytes; budget ≤ ${kb(c.budget)} KB): ${c.gzip <= c.budget ? 'PASS' : 'FAIL'}`,
      ),
      ...localeSizes.map((l) => `${l.name}: ${l.gzip} B min+gzip (budget ≤ ${LOCALE_BUDGET_BYTES} B): ${l.gzip <= LOCALE_BUDGET_BYTES ? 'PASS' : 'FAIL'}`),
      ...notes.map((n) => `NOTE: ${n}`),
    ],
  };
}
