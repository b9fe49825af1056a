import { describe, expect, it } from 'vitest';
import { ensureBrowser, type EnsureBrowserDeps } from '../support/ensure-browser.js';
import { decideBrowser, playwrightInstallCommand, type BrowserProbe } from '../support/find-browser.js';

const playwrightChrome = '/home/me/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome';

/** A machine where exactly `files` exist. */
function machine(files: readonly string[], overrides: Partial<BrowserProbe> = {}): BrowserProbe {
  const present = new Set(files);
  return { chromePath: undefined, platform: 'linux', exists: (path) => present.has(path), playwrightPath: playwrightChrome, ...overrides };
}

describe('decideBrowser', () => {
  it('takes CHROME_PATH first when it exists', () => {
    expect(decideBrowser(machine(['/opt/chrome', '/usr/bin/chromium'], { chromePath: '/opt/chrome' }))).toMatchObject({
      kind: 'found',
      executablePath: '/opt/chrome',
      source: 'CHROME_PATH',
    });
  });

  it("looks past a CHROME_PATH that does not exist, and says so if nothing is found", () => {
    expect(decideBrowser(machine(['/usr/bin/chromium'], { chromePath: '/nope' }))).toMatchObject({ kind: 'found', executablePath: '/usr/bin/chromium' });
    const decision = decideBrowser(machine([], { chromePath: '/nope' }));
    expect(decision.kind).toBe('install');
    expect(decision.kind !== 'found' && decision.tried[0]).toBe('CHROME_PATH=/nope (no such file)');
  });

  it("prefers Debian's Chromium to Playwright's, and Playwright's to nothing", () => {
    expect(decideBrowser(machine(['/usr/bin/chromium', playwrightChrome]))).toMatchObject({ source: 'system', executablePath: '/usr/bin/chromium' });
    expect(decideBrowser(machine(['/usr/bin/google-chrome']))).toMatchObject({ source: 'system', executablePath: '/usr/bin/google-chrome' });
    expect(decideBrowser(machine([playwrightChrome]))).toMatchObject({ source: 'playwright', executablePath: playwrightChrome });
  });

  it('finds Chrome where macOS and Windows install it', () => {
    const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    expect(decideBrowser(machine([mac], { platform: 'darwin' }))).toMatchObject({ kind: 'found', executablePath: mac });
    const windows = 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe';
    expect(decideBrowser(machine([windows], { platform: 'win32' }))).toMatchObject({ kind: 'found', executablePath: windows });
    // Linux paths mean nothing on a Mac.
    expect(decideBrowser(machine(['/usr/bin/chromium'], { platform: 'darwin' })).kind).toBe('install');
  });

  it("installs Playwright's Chromium when none is there and Playwright has a build for the platform", () => {
    const decision = decideBrowser(machine(['/usr/bin/apt-get']));
    expect(decision).toMatchObject({ kind: 'install', command: playwrightInstallCommand });
    expect(decision.kind !== 'found' && decision.tried.at(-1)).toContain('not installed');
  });

  it('names the package manager when Playwright has no build for the platform', () => {
    expect(decideBrowser(machine(['/usr/bin/apt-get'], { playwrightPath: undefined }))).toMatchObject({
      kind: 'missing',
      fix: 'sudo apt-get install -y chromium',
    });
    expect(decideBrowser(machine(['/usr/bin/dnf'], { playwrightPath: undefined }))).toMatchObject({ fix: 'sudo dnf install -y chromium' });
    expect(decideBrowser(machine([], { platform: 'freebsd', playwrightPath: undefined }))).toMatchObject({
      kind: 'missing',
      fix: expect.stringContaining('CHROME_PATH'),
    });
  });
});

/** Deps over a fake disk: `install` puts Playwright's Chromium there when `installWorks`. */
function deps(files: string[], options: { online: boolean; installWorks: boolean }): EnsureBrowserDeps & { lines: string[]; installs: number } {
  const disk = new Set(files);
  const result = {
    lines: [] as string[],
    installs: 0,
    probe: () => machine([...disk]),
    downloadHostReachable: async () => options.online,
    install: async () => {
      result.installs += 1;
      if (!options.installWorks) return { ok: false as const, error: 'Error: getaddrinfo ENOTFOUND cdn.playwright.dev' };
      disk.add(playwrightChrome);
      return { ok: true as const };
    },
    log: (line: string) => void result.lines.push(line),
  };
  return result;
}

describe('ensureBrowser (the first step of npm test)', () => {
  it('says which browser it found and installs nothing', async () => {
    const d = deps(['/usr/bin/chromium'], { online: true, installWorks: true });
    expect(await ensureBrowser(d)).toBe(true);
    expect(d.installs).toBe(0);
    expect(d.lines).toEqual(['browser tests: /usr/bin/chromium (system)']);
  });

  it("installs Playwright's Chromium when none is found and the download host is reachable", async () => {
    const d = deps([], { online: true, installWorks: true });
    expect(await ensureBrowser(d)).toBe(true);
    expect(d.installs).toBe(1);
    expect(d.lines.at(-1)).toBe(`browser tests: ${playwrightChrome} (playwright)`);
  });

  it('offline, fails at once with the one command that fixes it, without trying the download', async () => {
    const d = deps(['/usr/bin/apt-get'], { online: false, installWorks: true });
    expect(await ensureBrowser(d)).toBe(false);
    expect(d.installs).toBe(0);
    const output = d.lines.join('\n');
    expect(output).toContain('\n  sudo apt-get install -y chromium\n');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('when the download fails, prints its error line and the fix, not a stack trace', async () => {
    const d = deps(['/usr/bin/apt-get'], { online: true, installWorks: false });
    expect(await ensureBrowser(d)).toBe(false);
    const output = d.lines.join('\n');
    expect(output).toContain(`${playwrightInstallCommand} failed: Error: getaddrinfo ENOTFOUND cdn.playwright.dev`);
    expect(output).toContain('sudo apt-get install -y chromium');
    expect(output).not.toMatch(/\n\s+at /);
  });
});
