// The server's plain-JavaScript modules (the tokenizer's .mjs files and their .d.mts
// declarations) are loaded by URL or imported as they are; tsc does not emit them, so
// they are copied next to the compiled modules that load them.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const from = 'api/_lib/counting';
const to = join('dist/server', from);
for (const name of readdirSync(from)) {
  if (name.endsWith('.mjs') || name.endsWith('.d.mts')) cpSync(join(from, name), join(to, name));
}
