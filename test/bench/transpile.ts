import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

const root = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Inside node_modules, so that the emitted files resolve their packages from the
 * project's; one folder per checkout, because worktrees may share one node_modules and
 * each emit starts by emptying its folder.
 */
const outRoot = join(root, 'node_modules', '.cache', `ai-stream-chat-bench-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);
/** What a bench server process imports: the server, the upstream, the bench's own servers. */
const TREES = ['api', 'widget/shared', 'demo/upstream', 'test/bench'];

let done: Promise<string> | undefined;

/**
 * Emits every TypeScript file the bench's server processes import as plain JavaScript,
 * one file at a time as Vercel's Node builder does (`ts.transpileModule`), into a cache
 * folder, and returns the path of the emitted `server-process.js`.
 *
 * The servers are measured as they run deployed, not under the development loader: tsx
 * transpiles with esbuild's `keepNames`, which wraps every function created at run time
 * in a `defineProperty` call (`__name`), and a stream function creates dozens of
 * closures per request. The same emitted code serves every server in the comparison.
 */
export function transpiledServerEntry(): Promise<string> {
  done ??= emit();
  return done;
}

/**
 * The emitted JavaScript of a TypeScript file of the project (`api/chat/stream.ts` →
 * its `.js` in the cache folder), emitting everything first if needed: a Vercel
 * function file, as deployed.
 */
export async function transpiledPath(projectPath: string): Promise<string> {
  await transpiledServerEntry();
  return join(outRoot, projectPath.replace(/\.ts$/, '.js'));
}

async function emit(): Promise<string> {
  await rm(outRoot, { recursive: true, force: true });
  for (const tree of TREES) {
    for (const file of await listFiles(join(root, tree))) {
      const target = join(outRoot, relative(root, file));
      await mkdir(dirname(target), { recursive: true });
      if (file.endsWith('.mjs') || file.endsWith('.js')) await copyFile(file, target);
      else if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
        const { code } = await transform(await readFile(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'node20', sourcefile: file });
        await writeFile(target.replace(/\.ts$/, '.js'), code);
      }
    }
  }
  return join(outRoot, 'test', 'bench', 'server-process.js');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}
