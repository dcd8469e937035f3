#!/usr/bin/env node
// `npm test` and `npm run test:all`: tap on esbuild bundles of the test files.
//
//   node scripts/test.mjs [--all] [tap options] [test/<name>.test.ts ...]
//
// Why bundles: tap starts a process per test file and loads every module of it through loader hooks (its process
// tracking, and a TypeScript loader for .ts). On Node 20 that cost 2-3 s of CPU per file, more than most files' tests.
// esbuild turns test files (with the src/ they import; packages stay external) into .test-build/*.test.mjs, one
// module each. .test-build/ and test/ are both one level below the package root, so `new URL('..', import.meta.url)`
// means the package root in a bundle as in the source, and stack traces point at test/*.ts through source maps.
//
// With no file named, the fast files (every test/*.test.ts but test/*.slow.test.ts; all of them with --all) run as
// follows: a file in ALONE (those that start processes or run for seconds) is a bundle of its own; the rest are
// bundled together into GROUPS bundles named after their files (apps+broadcast+....test.mjs), one process each.
// A grouped file must not depend on being alone in its process (no process-wide state left behind); a named file
// always runs alone. dist/ is built first when a file under src/ is newer than dist/server.js.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ALONE = new Set(['callbacks', 'config', 'control', 'hostile', 'hostile-b', 'http', 'property', 'reload.property', 'stop', 'store']);
const GROUPS = 2;

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, '.test-build');
const args = process.argv.slice(2);
const all = args.includes('--all');
const named = args.filter((a) => a.endsWith('.test.ts'));
const tapArgs = args.filter((a) => a !== '--all' && !a.endsWith('.test.ts'));
const nameOf = (file) => basename(file).replace(/\.test\.ts$/, '');

// dist/server.js is what the process tests start; build it when src/ has changed since (npm ci builds it once).
const newest = (dir) => Math.max(0, ...readdirSync(dir, { withFileTypes: true })
  .map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
const server = join(ROOT, 'dist', 'server.js');
if (!existsSync(server) || newest(join(ROOT, 'src')) > statSync(server).mtimeMs) {
  const b = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const files = named.length > 0
  ? named.map((f) => join('test', basename(f)))
  : readdirSync(join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts') && (all || !f.endsWith('.slow.test.ts'))).sort().map((f) => join('test', f));

// entry name (without .mjs) -> the test files it runs
const entries = new Map();
const grouped = named.length > 0 ? [] : files.filter((f) => !ALONE.has(nameOf(f)) && !f.endsWith('.slow.test.ts'));
for (const f of files) if (!grouped.includes(f)) entries.set(`${nameOf(f)}.test`, [f]);
for (let g = 0; g < GROUPS; g++) {
  const members = grouped.filter((_, i) => i % GROUPS === g);
  if (members.length > 0) entries.set(`${members.map(nameOf).join('+')}.test`, members);
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT);
const stdin = (members) => ({ contents: members.map((f) => `import './${f}';`).join('\n'), resolveDir: ROOT, sourcefile: 'group.ts', loader: 'ts' });
await Promise.all([...entries].map(([name, members]) => build({
  absWorkingDir: ROOT, outfile: join(OUT, `${name}.mjs`),
  ...(members.length === 1 ? { entryPoints: members } : { stdin: stdin(members) }),
  bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', sourcemap: 'linked', logLevel: 'warning',
})));
writeFileSync(join(OUT, 'README'), 'Bundles of test/*.test.ts made by scripts/test.mjs for tap; rebuilt on every run.\n');

const bundles = [...entries.keys()].map((name) => join('.test-build', `${name}.mjs`));
const tap = spawn(process.execPath, [join(ROOT, 'node_modules', 'tap', 'dist', 'esm', 'run.mjs'), ...tapArgs, ...bundles], { cwd: ROOT, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => tap.kill(signal));
tap.on('exit', (code, signal) => { process.exitCode = code ?? (signal ? 1 : 0); });
