#!/usr/bin/env bash
# Runs `vercel build` offline (only the npm registry is reached) on a copy of the
# committed tree, then drives the built function with a real request against the
# local upstream: proof that what Vercel deploys compiles, bundles the tokenizer
# worker, and streams. The Vercel CLI is fetched with npx, not a devDependency, so
# `npm install` stays light for users.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
git ls-files -z | xargs -0 -I{} cp --parents {} "$work"/ 2>/dev/null || git ls-files | while read -r f; do mkdir -p "$work/$(dirname "$f")"; cp "$f" "$work/$f"; done
mkdir -p "$work/.vercel"
cat > "$work/.vercel/project.json" <<'JSON'
{"projectId":"prj_local_ci","orgId":"team_local_ci","settings":{"createdAt":1767225600000,"framework":null,"buildCommand":"npm run build","outputDirectory":"dist","installCommand":"npm ci --no-audit --no-fund","nodeVersion":"20.x"}}
JSON
cd "$work"
npx --yes vercel@50 build --yes > "$work/vercel-build.log" 2>&1 || { tail -40 "$work/vercel-build.log"; echo "vercel build: FAILED"; exit 1; }
grep -E "Using TypeScript|Build Completed" "$work/vercel-build.log"
func="$work/.vercel/output/functions/api/chat/stream.func"
for f in tokenizer-worker.mjs rank-table.mjs piece-encoder.mjs; do test -f "$func/api/_lib/counting/$f" || { echo "vercel build: api/_lib/counting/$f (the tokenizer) is missing from the function bundle"; exit 1; }; done
grep -q '"supportsCancellation": true' "$func/.vc-config.json" || { echo "vercel build: supportsCancellation is not set"; exit 1; }
"$root/node_modules/.bin/tsx" "$root/test/vercel/smoke.ts" "$func/api/chat/stream.js"
