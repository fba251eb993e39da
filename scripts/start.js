#!/usr/bin/env node
/**
 * `npm start`: runs the compiled relay (dist/) with plain node, compiling it first when dist/ is missing or older
 * than the sources, so the quick start stays `npm install && npm start`. The relay runs in this very process (no
 * child to forward signals to), so SIGTERM reaches its clean shutdown. Plain JavaScript: it must run before any
 * TypeScript is compiled.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const ENTRY = path.join(ROOT, 'dist', 'relay', 'src', 'main.js');
/** What the build reads: a change to any of these makes dist/ stale. */
const SOURCES = ['relay/src', 'shared', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of fs.readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, name)));
  return newest;
}

function builtAt() {
  try {
    return fs.statSync(ENTRY).mtimeMs;
  } catch {
    return 0;
  }
}

const built = builtAt();
const sources = Math.max(...SOURCES.map((source) => newestMtime(path.join(ROOT, source))));
if (built === 0 || sources > built) {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  } catch {
    console.error(
      `Payrelay cannot start: ${built === 0 ? 'dist/ has not been built' : 'dist/ is older than relay/src'} and TypeScript is not installed to build it.\n` +
        'Run `npm install` (with dev dependencies) and `npm run build`, or start a build made elsewhere: node dist/relay/src/main.js',
    );
    process.exit(1);
  }
  console.log(built === 0 ? 'Building the relay into dist/ (first start)…' : 'relay/src changed since the last build: rebuilding dist/…');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('Payrelay cannot start: the build failed (see above).');
    process.exit(1);
  }
  // tsc leaves an output file untouched when its content did not change; the entry's mtime marks the build.
  const now = new Date();
  fs.utimesSync(ENTRY, now, now);
}
require(ENTRY);
