/**
 * `npm test` runs this first: the browser suites need a Chromium. When there is none,
 * it installs Playwright's where it can, and otherwise stops at once with the one
 * command that fixes it (never a stack trace, never a skipped suite).
 */
import { execFile } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decideBrowser, probeMachine, systemInstallCommand, type BrowserProbe } from './find-browser.js';

/** What {@link ensureBrowser} does to the machine, injectable so its decisions can be tested. */
export interface EnsureBrowserDeps {
  probe(): BrowserProbe;
  /** Whether Playwright's download host can be reached at all (a DNS lookup), so an offline machine fails at once. */
  downloadHostReachable(): Promise<boolean>;
  /** Runs Playwright's installer; `error` is its last error line when it failed. */
  install(): Promise<{ ok: true } | { ok: false; error: string }>;
  log(line: string): void;
}

/** Finds a Chromium, installing Playwright's when none is found and that is possible; false (with the fix logged) otherwise. */
export async function ensureBrowser(deps: EnsureBrowserDeps): Promise<boolean> {
  const probe = deps.probe();
  const decision = decideBrowser(probe);
  if (decision.kind === 'found') {
    deps.log(`browser tests: ${decision.executablePath} (${decision.source})`);
    return true;
  }
  const looked = `No Chromium for the browser tests. Looked at:\n  - ${decision.tried.join('\n  - ')}`;
  const fix = decision.kind === 'missing' ? decision.fix : systemInstallCommand(probe);
  const fixLines = `Fix it with:\n\n  ${fix}\n\n(or set CHROME_PATH to a Chromium or Chrome you have)`;
  if (decision.kind === 'missing') {
    deps.log(`${looked}\n${fixLines}`);
    return false;
  }
  if (!(await deps.downloadHostReachable())) {
    deps.log(`${looked}\nPlaywright's browser download (${decision.command}) is not reachable from this machine.\n${fixLines}`);
    return false;
  }
  deps.log(`No Chromium found: installing Playwright's (${decision.command}, about 170 MB)…`);
  const installed = await deps.install();
  const after = decideBrowser(deps.probe());
  if (installed.ok && after.kind === 'found') {
    deps.log(`browser tests: ${after.executablePath} (${after.source})`);
    return true;
  }
  deps.log(`${looked}\n${decision.command} failed: ${installed.ok ? 'it reported success but no browser is there' : installed.error}\n${fixLines}`);
  return false;
}

const installTimeoutMs = 15 * 60_000;
const dnsTimeoutMs = 5_000;

/** The host Playwright downloads from (it honours PLAYWRIGHT_DOWNLOAD_HOST). */
function downloadHost(env: NodeJS.ProcessEnv): string {
  const custom = env.PLAYWRIGHT_DOWNLOAD_HOST;
  if (custom) {
    try {
      return new URL(custom).hostname;
    } catch {
      return custom;
    }
  }
  return 'cdn.playwright.dev';
}

/** The real machine: DNS, and playwright-core's CLI run with this Node (output kept, only its last error line shown). */
export function machineDeps(env: NodeJS.ProcessEnv = process.env): EnsureBrowserDeps {
  return {
    probe: () => probeMachine(env),
    async downloadHostReachable() {
      // Behind a proxy the name may only resolve there: let the installer try.
      if (env.HTTPS_PROXY || env.https_proxy) return true;
      const timeout = new Promise<false>((resolve) => setTimeout(resolve, dnsTimeoutMs, false).unref());
      return Promise.race([lookup(downloadHost(env)).then(() => true, () => false), timeout]);
    },
    install() {
      // The package's `bin` (cli.js), found beside its package.json (the only file path its exports allow).
      const cli = join(dirname(createRequire(import.meta.url).resolve('playwright-core/package.json')), 'cli.js');
      return new Promise((resolve) => {
        execFile(process.execPath, [cli, 'install', 'chromium'], { timeout: installTimeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
          if (!error) return resolve({ ok: true });
          const lines = `${stdout}\n${stderr}`.split('\n').map((line) => line.trim());
          resolve({ ok: false, error: lines.findLast((line) => line.startsWith('Error:')) ?? error.message.split('\n')[0] ?? 'unknown error' });
        });
      });
    },
    log: (line) => console.log(line),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = (await ensureBrowser(machineDeps())) ? 0 : 1;
}
