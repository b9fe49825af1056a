import { fork, type ChildProcess } from 'node:child_process';
import type { ChildMessage, ParentMessage, ProcessStats, ServerRole } from './server-process.js';
import { transpiledServerEntry } from './transpile.js';

/** The parent's handle on one server running in its own process. */
export interface BenchProcess {
  role: ServerRole;
  /** Origin of the server (`http://127.0.0.1:PORT`); the upstream's base URL ends in `/v1`. */
  url: string;
  pid: number;
  stats(): Promise<ProcessStats>;
  gc(): Promise<void>;
  /** From now on `stats().peakRss` holds the highest RSS sampled. */
  trackPeak(): void;
  /** Writes a V8 heap snapshot of the server's main thread to `path`. */
  heapSnapshot(path: string): Promise<string>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/**
 * Forks `server-process.ts` (emitted as plain JavaScript, see transpile.ts) for `role`
 * and waits until it listens. For profiling a missed budget: `BENCH_CPU_PROF=DIR` makes
 * every child write a V8 CPU profile there when it exits (sampled every 100 µs), and
 * `BENCH_NODE_ARGS="--trace-gc …"` passes extra flags to every child.
 */
export async function spawnServer(role: ServerRole, upstreamUrl?: string, env?: Readonly<Record<string, string>>): Promise<BenchProcess> {
  const profileDir = process.env['BENCH_CPU_PROF'];
  // Plain JavaScript, as deployed (see transpile.ts).
  const entry = await transpiledServerEntry();
  const args = upstreamUrl ? [role, upstreamUrl, ...(env ? [JSON.stringify(env)] : [])] : [role];
  const child = fork(entry, args, {
    execArgv: ['--expose-gc', ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []), ...(profileDir ? ['--cpu-prof', '--cpu-prof-interval', '100', `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${role} server did not start in ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`${role} server exited with ${code} before listening`)));
    child.once('message', (message: ChildMessage) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve(message.url);
      else reject(new Error(`${role} server said ${message.type} before ready`));
    });
  });
  child.removeAllListeners('exit');

  return {
    role,
    url,
    pid: child.pid ?? -1,
    stats: () => ask(child, { type: 'stats' }, 'stats').then(({ type: _, ...stats }) => stats),
    gc: () => ask(child, { type: 'gc' }, 'gc-done').then(() => undefined),
    trackPeak: () => void child.send({ type: 'track-peak' } satisfies ParentMessage),
    heapSnapshot: (path) => ask(child, { type: 'heap-snapshot', path }, 'snapshot-done').then((reply) => reply.path),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        // A child that ignores 'exit' (stuck loop) is killed; --cpu-prof needs the clean exit.
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.send({ type: 'exit' } satisfies ParentMessage);
      }),
  };
}

function ask<T extends ChildMessage['type']>(child: ChildProcess, message: ParentMessage, reply: T): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (answer: ChildMessage): void => {
      if (answer.type !== reply) return;
      child.off('message', onMessage);
      resolve(answer as Extract<ChildMessage, { type: T }>);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}
