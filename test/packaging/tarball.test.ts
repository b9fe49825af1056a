import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from './support/paths.js';

interface PackageJson {
  exports: Record<string, string | Record<string, string>>;
  types: string;
  customElements: string;
  sideEffects: string[];
}

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
const files = new Set(inject('kitFiles'));
const normalize = (path: string): string => posix.normalize(path.replace(/^\.\//, ''));

/**
 * The tarball's files a target names: itself, or for a pattern (`./dist/locales/*.js`,
 * as `exports` and `sideEffects` allow) every file it matches, with what `*` stood for.
 */
function matches(target: string): Map<string, string> {
  const path = normalize(target);
  if (!path.includes('*')) return new Map(files.has(path) ? [[path, '']] : []);
  const [before = '', after = ''] = path.split('*');
  return new Map([...files].filter((file) => file.startsWith(before) && file.endsWith(after) && file.length > before.length + after.length).map((file) => [file, file.slice(before.length, file.length - after.length)]));
}

/** Every file an `exports` entry points at, with the entry's name. */
function exportTargets(): Array<[string, string]> {
  return Object.entries(manifest.exports).flatMap(([name, target]) =>
    typeof target === 'string' ? [[name, target] as [string, string]] : Object.entries(target).map(([condition, path]): [string, string] => [`${name} (${condition})`, path]),
  );
}

// The fixtures prove the entries work; this says which file is missing when one does not.
describe('the packed tarball', () => {
  const unpacked = mkdtempSync(join(tmpdir(), 'ai-stream-chat-kit-'));
  execFileSync('tar', ['-xzf', inject('kitTarball'), '-C', unpacked, '--strip-components=1']);
  afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

  it.each(exportTargets())('holds the target of exports %s: %s', (_name, target) => {
    expect(matches(target).size, `${target} is not in the tarball`).toBeGreaterThan(0);
  });

  it('a pattern export has the same files under each condition (each locale with its types)', () => {
    for (const target of Object.values(manifest.exports)) {
      if (typeof target === 'string' || !Object.values(target).some((path) => path.includes('*'))) continue;
      const stems = Object.values(target).map((path) => [...matches(path).values()].sort());
      for (const other of stems.slice(1)) expect(other).toEqual(stems[0]);
    }
  });

  it('holds the top-level types, the manifest and the files sideEffects names', () => {
    for (const path of [manifest.types, manifest.customElements, ...manifest.sideEffects.filter((p) => p.startsWith('./dist/'))]) {
      expect(matches(path).size, `${path} is not in the tarball`).toBeGreaterThan(0);
    }
  });

  it('ships built files only: no sources, tests or the demo bundle', () => {
    const outside = [...files].filter((path) => !path.startsWith('dist/') && !/^(package\.json|README\.md|LICENSE)$/i.test(path));
    expect(outside).toEqual([]);
    expect([...files].filter((path) => path.startsWith('dist/demo/'))).toEqual([]);
  });

  it('every relative module the server entry loads is in the tarball', () => {
    const modules = [...files].filter((path) => path.startsWith('dist/server/') && /\.m?js$/.test(path));
    expect(modules.length).toBeGreaterThan(10);
    const missing: string[] = [];
    for (const module of modules) {
      const source = readFileSync(join(unpacked, module), 'utf8');
      // Static imports and re-exports, and files loaded by URL (the tokenizer's worker).
      const specifiers = [...source.matchAll(/\bfrom\s+'(\.[^']+)'|\bimport\s+'(\.[^']+)'|new URL\('(\.[^']+)',\s*import\.meta\.url\)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
      for (const specifier of specifiers) {
        const target = posix.join(dirname(module), specifier);
        if (!files.has(target)) missing.push(`${module} → ${specifier}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
