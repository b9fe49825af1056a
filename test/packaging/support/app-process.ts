import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** A fixture's server, running in its own process. */
export interface AppProcess {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Everything it printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `command` in `cwd` and waits for it to print a line with its URL
 * (`http://127.0.0.1:<port>` or `http://localhost:<port>`): the fixtures listen on
 * port 0, or on the port they are given, and say where.
 */
export async function startApp(command: string, args: string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<AppProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} printed no URL within ${options.timeoutMs ?? 60_000} ms:\n${output}`)), options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}) before it listened:\n${output}`));
    });
  });
  return {
    origin,
    output: () => output,
    stop: () => stopProcess(child),
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
