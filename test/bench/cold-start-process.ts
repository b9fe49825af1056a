/**
 * Child entry of the cold-start benchmark: one fresh Node process that does what
 * Vercel's Node runtime does for a function's first request. It imports the function
 * file (plain JavaScript, see transpile.ts), calls its exported POST with a Web Request,
 * reads the streamed answer to its end, and exits.
 *
 *   node cold-start-process.js FUNCTION_JS REQUEST_BODY_JSON TEXT_MARKER
 *   node cold-start-process.js MODULE_JS   (imports it and exits: what loading one package costs)
 *   node cold-start-process.js none        (an empty process: Node's own start-up)
 *
 * Each milestone is one line on stdout ({@link ColdStartLine}), written as it happens, so
 * the parent times it from the moment it spawned the process. Environment: the
 * provider's variables, as the deployment sets them.
 */
import { pathToFileURL } from 'node:url';

/** The milestones, in order: `imported` (module loaded, handler made), `headers` (POST resolved), `first-byte`, `first-text`, `done`. */
export type ColdStartMilestone = 'imported' | 'headers' | 'first-byte' | 'first-text' | 'done';

/**
 * One stdout line: a milestone, the child's own clock (ms since its time origin), the
 * CPU time the process has used so far (user + system, every thread, Node's own start-up
 * included) and, on `done`, its RSS. The function's own log lines share stdout; they
 * have no `milestone`.
 */
export interface ColdStartLine {
  milestone: ColdStartMilestone;
  childMs: number;
  cpuMs: number;
  rss?: number;
  error?: string;
}

function say(milestone: ColdStartMilestone, extra: Partial<ColdStartLine> = {}): void {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ milestone, childMs: performance.now(), cpuMs: (user + system) / 1000, ...extra } satisfies ColdStartLine)}\n`);
}

type FunctionModule = { POST?: (request: Request) => Promise<Response> };

async function run(): Promise<void> {
  const [file, body, marker] = process.argv.slice(2);
  // Without a file: Node's own start-up, the floor every function pays.
  const module = file && file !== 'none' ? ((await import(pathToFileURL(file).href)) as FunctionModule) : undefined;
  say('imported');
  if (!module || !body) {
    say('done', { rss: process.memoryUsage.rss() });
    return;
  }
  if (typeof module.POST !== 'function') throw new Error(`${file} exports no POST`);
  const response = await module.POST(
    new Request('https://bench.example/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: body ?? '{}' }),
  );
  say('headers');
  if (response.status !== 200 || !response.body) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const decoder = new TextDecoder();
  let text = '';
  let sawByte = false;
  let sawText = false;
  for await (const chunk of response.body) {
    if (!sawByte) {
      sawByte = true;
      say('first-byte');
    }
    if (sawText) continue;
    // Only the start of the stream is searched: the marker is how its first text event begins.
    text += decoder.decode(chunk, { stream: true });
    if (marker && text.includes(marker)) {
      sawText = true;
      say('first-text');
    }
  }
  if (!sawText) throw new Error(`the answer never contained ${marker}: ${text.slice(0, 200)}`);
  say('done', { rss: process.memoryUsage.rss() });
}

try {
  await run();
  // A function instance would live on; this one has answered, and its worker threads need not hold it.
  process.exit(0);
} catch (error) {
  say('done', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
