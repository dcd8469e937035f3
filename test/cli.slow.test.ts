// The package as users get it: `npm pack`, `npm install <tarball>`, `npx volc-im-mock`; and the compose example.
import t from 'tap';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile, access } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OPTIONS } from '../src/config.js';
import { parseJson } from '../src/protocol/json.js';

// packing builds with tsc and installing resolves dependencies: far slower than the default per-file timeout
t.setTimeout(600_000);

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const PKG = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string; name: string };
const SEED_BODY = '{"AppId":666675,"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977]}';

/** The environment without anything that would configure the emulator behind the test's back. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const o of Object.values(OPTIONS)) delete env[o.env];
  for (const k of Object.keys(env)) if (k.startsWith('npm_lifecycle') || k.startsWith('npm_package')) delete env[k];
  return env;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function waitForHealth(url: string, proc: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`volc-im-mock exited with ${proc.exitCode}`);
    try {
      if ((await fetch(`${url}/_mock/health`)).status === 200) return;
    } catch { /* not listening yet */ }
    if (Date.now() > until) throw new Error(`no health answer from ${url} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200)); // polling a child process, not a test of time
  }
}

/** A copy of the working tree as git sees it (tracked + new files, nothing ignored), with node_modules linked. */
async function cleanCopy(into: string): Promise<void> {
  const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue; // deleted, not yet committed
    await mkdir(join(into, file, '..'), { recursive: true });
    await cp(join(ROOT, file), join(into, file));
  }
  await symlink(join(ROOT, 'node_modules'), join(into, 'node_modules'), 'dir');
}

t.test('npm pack -> npm install -> npx volc-im-mock serves the seed request', { timeout: 600_000 }, async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'volc-mock-cli-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const src = join(work, 'src-copy');
  const packs = join(work, 'packs');
  const consumer = join(work, 'consumer');
  await Promise.all([mkdir(src), mkdir(packs), mkdir(consumer)]);
  await cleanCopy(src);
  t.notOk(existsSync(join(src, 'dist')), 'the copy starts without dist/');

  // packing builds dist/ (prepare) from a clean tree
  const env = cleanEnv();
  const packed = await run('npm', ['pack', '--json', '--pack-destination', packs], { cwd: src, env, maxBuffer: 16 << 20 });
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [{ filename: string; files: { path: string }[] }];
  const files = info.files.map((f) => f.path);
  for (const f of ['package.json', 'dist/server.js', 'dist/index.js', 'dist/index.d.ts', 'dist/config.js', 'dist/control/openapi.js', 'fixtures/default.json']) {
    t.ok(files.includes(f), `the tarball holds ${f}`);
  }
  if (existsSync(join(ROOT, 'README.md'))) t.ok(files.includes('README.md'), 'the tarball holds README.md');
  t.same(files.filter((f) => !/^(dist\/|fixtures\/|README\.md$|package\.json$|LICENSE)/.test(f)), [], 'nothing but dist, fixtures, README, package.json');
  t.notOk(files.some((f) => f.startsWith('test/') || f.startsWith('src/')), 'no test/ or src/');

  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', join(packs, info.filename), '--no-audit', '--no-fund', '--prefer-offline'], { cwd: consumer, env, maxBuffer: 16 << 20 });
  const installed = join(consumer, 'node_modules', PKG.name);
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
  await t.resolves(access(join(installed, manifest.main)), `main ${manifest.main} exists`);
  await t.resolves(access(join(installed, manifest.types)), `types ${manifest.types} exists`);
  t.same(await readdir(join(installed, 'fixtures')), ['default.json']);
  // it runs on its dependencies alone: none of the dev dependencies came with it
  const devDeps = Object.keys((JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies);
  t.same(devDeps.filter((d) => existsSync(join(consumer, 'node_modules', d))), [], 'no dev dependency installed in the consumer');

  const npx = (args: string[]) => run('npx', ['volc-im-mock', ...args], { cwd: consumer, env });
  t.equal((await npx(['--version'])).stdout.trim(), PKG.version, '--version prints the package version');
  const help = (await npx(['--help'])).stdout;
  for (const o of Object.values(OPTIONS)) {
    t.match(help, new RegExp(`--${o.flag}\\b.*\\b${o.env}\\b.*${o.default === '' ? 'none' : o.default.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), `--help: --${o.flag}, ${o.env}, default`);
  }

  // the programmatic API from the installed package
  const prog = await run(process.execPath, ['--input-type=module', '-e',
    "import { startMock } from 'volc-im-mock'; const m = await startMock(); const r = await fetch(m.url + '/_mock/health'); console.log(r.status); await m.close();"], { cwd: consumer, env });
  t.equal(prog.stdout.trim(), '200', "import { startMock } from 'volc-im-mock' works");

  // the CLI as a server; detached so the whole group (npx, sh, node) can be stopped by its id
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn('npx', ['volc-im-mock', '--port', String(port)], { cwd: consumer, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  t.teardown(() => { if (proc.exitCode === null) try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } });
  await waitForHealth(url, proc, 60_000).catch((e) => { t.fail(`${e.message}\n${out}\n${err}`); throw e; });

  const res = await fetch(`${url}/?Action=GetMessagesReadReceipt&Version=2020-12-01`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SEED_BODY });
  const text = await res.text();
  t.equal(res.status, 200);
  t.match(text, '"Result":{"ReadReceipt":[{"MessageId":1709040620191372977,"ConversationShortId":1691070514797524328,"ReceiverIsRead":false,"ReadUserIds":[],"UnReadUserIds":[30341]}]}');
  const body = parseJson(text) as any;
  t.equal(body.Result.ReadReceipt[0].MessageId, 1709040620191372977n);

  // the compose example's client one-liner, pointed at this server
  const compose = await readFile(join(ROOT, 'examples/docker-compose.yml'), 'utf8');
  const oneLiner = /- >-\n\s+(fetch\(.*)\n/.exec(compose)?.[1];
  t.ok(oneLiner, 'the compose client command is found');
  const client = await run(process.execPath, ['-e', oneLiner!.replace('http://volc-im-mock:8080', url)], { env });
  t.match(client.stdout, '"UnReadUserIds":[30341]', 'the compose client one-liner succeeds against the emulator');

  // the health check command, through the symlink npm installs in node_modules/.bin
  const healthBin = join(consumer, 'node_modules', '.bin', 'volc-im-mock-healthcheck');
  const check = (p: number) => run(process.execPath, [healthBin], { env: { ...env, PORT: String(p) } }).then(() => 0, (e: { code: number }) => e.code);
  t.equal(await check(port), 0, 'volc-im-mock-healthcheck exits 0 against the running emulator');
  t.equal(await check(await freePort()), 1, 'and 1 against a port where nothing listens');

  process.kill(-proc.pid!, 'SIGTERM');
  await exited;
  // one JSON log line per request with Action, AppId, status, duration and RequestId (stdout is not a terminal)
  const lines = out.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l); } catch { return { unparsed: l }; } });
  t.notOk(lines.some((l) => 'unparsed' in l), 'every log line is JSON');
  const requests = lines.filter((l) => l.msg === 'request');
  t.equal(requests.length, 2, 'one request line per API call');
  t.match(requests[0], { Action: 'GetMessagesReadReceipt', AppId: 666675, status: 200, RequestId: body.ResponseMetadata.RequestId });
  t.ok(requests.every((l) => typeof (l.ms ?? l.durationMs) === 'number'), 'each line carries a duration');
  t.ok(lines.some((l) => l.msg === 'shutting down' && l.signal === 'SIGTERM'), 'graceful shutdown logged');
});

t.test('examples/docker-compose.yml: emulator, health check, data volume, a client by service name', async (t) => {
  const yml = await readFile(join(ROOT, 'examples/docker-compose.yml'), 'utf8');
  const service = (name: string) => {
    const m = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\s*\\n)+)`, 'm').exec(yml);
    return m ? m[1] : '';
  };
  const mock = service('volc-im-mock');
  t.ok(mock, 'a volc-im-mock service');
  t.match(mock, /^ {4}build:\n {6}context: \.\.\s/m, 'built from the repository root');
  t.match(mock, /^ {6}test: \["CMD", "node", "dist\/healthcheck\.js"\]$/m, 'health checked by the package command');
  t.match(mock, /^ {6}VOLC_MOCK_DATA: \/data\/state\.json$/m, 'data file on the volume');
  t.match(mock, /^ {6}- volc-im-mock-data:\/data$/m, 'the named volume is mounted at /data');
  t.match(yml, /^volumes:\n {2}volc-im-mock-data:\s*$/m, 'the named volume is declared');
  const port = /^ {6}- "(\d+):(\d+)"$/m.exec(mock);
  t.ok(port, 'a published port');
  const client = service('client');
  t.match(client, /image: node:(22|24)-slim/, "the client runs on a supported LTS");
  t.match(client, /condition: service_healthy/, 'the client waits for the health check');
  t.match(client, 'http://volc-im-mock:8080/?Action=GetMessagesReadReceipt&Version=2020-12-01', 'the client reaches the emulator by service name');
  t.match(client, '"AppId":666675,"ConversationShortId":1691070514797524328,"MessageIds":[1709040620191372977]');
  t.notOk(/\t/.test(yml), 'no tabs (YAML)');

  const dockerfile = join(ROOT, 'Dockerfile');
  t.ok(existsSync(dockerfile), 'the Dockerfile the compose file builds from exists');
  const df = await readFile(dockerfile, 'utf8');
  const expose = /^EXPOSE\s+(\d+)/m.exec(df)?.[1];
  t.equal(port?.[2], expose, 'the container port is the Dockerfile EXPOSE');
  t.match(client, `http://volc-im-mock:${expose}/`);
  t.match(df, /HEALTHCHECK.*dist\/healthcheck\.js/, 'the image health check uses the same command');
  if (/^USER\s+(\S+)/m.test(df)) {
    const user = /^USER\s+(\S+)/m.exec(df)![1];
    t.match(df, new RegExp(`chown\\s+${user}(:${user})?\\s+/data\\b`), `/data belongs to ${user}, so the named volume is writable`);
  }
});
