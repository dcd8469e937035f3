// The Dockerfile's commands, outside Docker (no engine on these machines): the Dockerfile is parsed, each stage's
// COPY and RUN lines are replayed in a temp dir standing for its WORKDIR, then the final stage's CMD is started with
// the Dockerfile's ENV (PORT and HOST overridden) and polled on /_mock/health. Slow: npm ci runs twice.
// SKIP_DOCKER_TEST=1 skips it.
import t from 'tap';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { PACKAGE_ROOT } from '../src/config.js';
import { cleanEnv, SEED_APP, SEED_CONV, SEED_MSG } from './helpers.js';
import { stringifyJson } from '../src/protocol/json.js';

const SKIP = process.env.SKIP_DOCKER_TEST === '1' ? 'SKIP_DOCKER_TEST=1: the Dockerfile replay (npm ci twice) is skipped' : false;
if (!SKIP) t.setTimeout(360_000);

interface Instruction { op: string; args: string; line: number }
interface Stage { name?: string; from: string; workdir: string; instructions: Instruction[] }

/** Dockerfile -> stages of instructions (continuations joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ');
      const next = lines[++i];
      if (!/^\s*#/.test(next)) line += next;
    }
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot parse ${JSON.stringify(line)}`);
    const op = m[1].toUpperCase();
    const args = m[2].trim();
    if (op === 'FROM') {
      const f = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: f?.[1] ?? args, name: f?.[2], workdir: '/', instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${start}: ${op} before FROM`);
    stage.instructions.push({ op, args, line: start });
  }
  return stages;
}

/** ENV K=V K2="V 2" or ENV K V. */
function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!/^\S+=/.test(args)) {
    const [k, ...v] = args.split(/\s+/);
    out[k] = v.join(' ');
    return out;
  }
  for (const m of args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) out[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
  return out;
}

/** CMD/HEALTHCHECK CMD in exec form (JSON) or shell form. */
function commandOf(args: string): string[] {
  return args.trim().startsWith('[') ? JSON.parse(args) : ['sh', '-c', args];
}

function run(cmd: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', cmd], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => resolve({ code, out }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
  });
}

/** Environment for replayed commands: no npm config from the outer `npm test`, no mock configuration. */
function replayEnv(stageEnv: Record<string, string>): NodeJS.ProcessEnv {
  const env = cleanEnv();
  for (const k of Object.keys(env)) if (/^npm_/i.test(k) || k === 'INIT_CWD') delete env[k];
  return { ...env, ...stageEnv };
}

t.test('the Dockerfile builds and runs outside Docker', { timeout: 300_000, skip: SKIP }, async (t) => {
  const dockerfile = join(PACKAGE_ROOT, 'Dockerfile');
  t.ok(existsSync(dockerfile), 'a Dockerfile at the package root');
  const stages = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  t.ok(stages.length >= 2, 'multi-stage');
  const final = stages.at(-1)!;
  // a supported LTS in the image (Node 20 reached end of life in April 2026); npm users keep Node 20 (engines)
  for (const s of stages) t.match(s.from, /^node:(22|24)(-|$)/, `${s.name ?? 'a stage'} builds on Node 22 or 24`);
  t.equal(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).engines.node, '>=20', 'engines still allows Node 20');

  // the build context: the files git knows (tracked or not ignored), never node_modules or dist
  const work = mkdtempSync(join(tmpdir(), 'volc-im-mock-docker-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const context = join(work, 'context');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (/^(node_modules|dist)\//.test(f) || !existsSync(join(PACKAGE_ROOT, f))) continue;
    mkdirSync(dirname(join(context, f)), { recursive: true });
    cpSync(join(PACKAGE_ROOT, f), join(context, f));
  }
  t.notOk(existsSync(join(context, 'node_modules')), 'no node_modules in the context');

  const roots = new Map<Stage, string>();
  const byName = new Map(stages.filter((s) => s.name).map((s) => [s.name!, s]));
  let cmd: string[] | undefined;
  let healthcheck: string[] | undefined;
  let env: Record<string, string> = {};

  for (const [i, stage] of stages.entries()) {
    const root = join(work, `stage${i}`);
    mkdirSync(root);
    roots.set(stage, root);
    env = {};
    /** A path inside the stage's WORKDIR, mapped to the temp dir standing for it. */
    const inStage = (s: Stage, p: string) => {
      const abs = posix.resolve(s.workdir, p);
      const rel = posix.relative(s.workdir === '/' ? '/' : s.workdir, abs);
      if (rel.startsWith('..')) throw new Error(`${p}: outside WORKDIR ${s.workdir}; the replay maps only the WORKDIR`);
      return join(roots.get(s)!, rel);
    };
    for (const ins of stage.instructions) {
      const where = `stage ${stage.name ?? i} line ${ins.line}: ${ins.op} ${ins.args}`;
      if (ins.op === 'WORKDIR') {
        if (stage.instructions.some((x) => x.line < ins.line && (x.op === 'COPY' || x.op === 'RUN'))) throw new Error(`${where}: WORKDIR after COPY/RUN is not replayed`);
        stage.workdir = posix.resolve(stage.workdir, ins.args);
      } else if (ins.op === 'ENV') {
        Object.assign(env, parseEnv(ins.args));
      } else if (ins.op === 'COPY') {
        const parts = ins.args.split(/\s+/);
        const from = parts.find((p) => p.startsWith('--from='))?.slice('--from='.length);
        const paths = parts.filter((p) => !p.startsWith('--'));
        const dest = paths.pop()!;
        const source = from ? byName.get(from) ?? stages[Number(from)] : undefined;
        if (from && !source) throw new Error(`${where}: no stage ${from}`);
        for (const p of paths) {
          const src = source ? inStage(source, p) : join(context, p);
          if (!existsSync(src)) { t.fail(`${where}: ${p} does not exist${source ? ' in that stage' : ' in the build context'}`); continue; }
          const target = dest.endsWith('/') || paths.length > 1 || (statSync(src).isFile() && dest.match(/^\.\/?$/))
            ? join(inStage(stage, dest), posix.basename(p)) : inStage(stage, dest);
          mkdirSync(dirname(target), { recursive: true });
          cpSync(src, target, { recursive: true });
        }
      } else if (ins.op === 'RUN') {
        // the host's npm cache is shared with everything else on this machine: cleaning it is the image's business
        const command = ins.args.replace(/npm cache clean(\s+--force)?/g, 'true');
        // commands on the image's own filesystem (mkdir /data, chown, apt-get) would change this machine: not replayed
        if (/(^|[\s;&|'"=])\/(?!dev\/null)/.test(command) || /\b(chown|chmod|apt-get|apk|useradd|adduser|groupadd)\b/.test(command)) {
          t.comment(`not replayed (the image's own filesystem): ${where}`);
          continue;
        }
        const r = await run(command, inStage(stage, '.'), replayEnv(env));
        t.equal(r.code, 0, `${where}`);
        if (r.code !== 0) { t.comment(r.out.slice(-3000)); return; }
      } else if (ins.op === 'CMD') {
        cmd = commandOf(ins.args);
      } else if (ins.op === 'HEALTHCHECK') {
        const m = /^(?:--\S+\s+)*CMD\s+([\s\S]+)$/.exec(ins.args);
        healthcheck = m ? commandOf(m[1]) : undefined;
      } else if (!['EXPOSE', 'USER', 'LABEL', 'ARG', 'STOPSIGNAL'].includes(ins.op)) {
        t.fail(`${where}: not replayed by this test`);
      }
    }
  }

  const prod = roots.get(final)!;
  t.same(cmd, ['node', 'dist/server.js'], 'CMD ["node","dist/server.js"]');
  t.equal(env.HOST, '0.0.0.0', 'the image listens on every interface');
  t.ok(existsSync(join(prod, 'dist', 'server.js')), 'dist copied into the final stage');
  t.ok(existsSync(join(prod, 'fixtures', 'default.json')), 'fixtures copied into the final stage');
  t.ok(existsSync(join(prod, 'node_modules', 'fastify')), 'production dependencies installed');
  t.notOk(existsSync(join(prod, 'node_modules', 'typescript')), 'no dev dependencies (typescript)');
  t.notOk(existsSync(join(prod, 'node_modules', 'tap')), 'no dev dependencies (tap)');
  t.notOk(existsSync(join(prod, 'src')), 'no sources in the final stage');
  if (!cmd) return;

  const port = await freePort();
  const runEnv = replayEnv({ ...env, HOST: '127.0.0.1', PORT: String(port) });
  const [bin, ...args] = cmd;
  const server = spawn(bin === 'node' ? process.execPath : bin, args, { cwd: prod, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  server.stdout.on('data', (d) => { output += d; });
  server.stderr.on('data', (d) => { output += d; });
  const exited = new Promise<number | null>((res) => server.on('close', (code) => res(code)));
  t.teardown(() => { if (server.exitCode === null) server.kill('SIGKILL'); });

  // a process start, not a test of timing: poll until it answers or exits
  const url = `http://127.0.0.1:${port}`;
  let healthy = false;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline && server.exitCode === null;) {
    try {
      const r = await fetch(`${url}/_mock/health`);
      if (r.status === 200) { healthy = true; break; }
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  t.ok(healthy, `GET /_mock/health answers 200 (${output.slice(-500)})`);
  if (!healthy) return;

  const seed = await fetch(`${url}/?Action=GetMessagesReadReceipt&Version=2020-12-01`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: stringifyJson({ AppId: SEED_APP, ConversationShortId: SEED_CONV, MessageIds: [SEED_MSG] }),
  });
  t.equal(seed.status, 200, 'the seed request answers');
  t.ok((await seed.text()).includes('"UnReadUserIds":[30341]'), 'from the copied fixtures');

  if (healthcheck) {
    const [hbin, ...hargs] = healthcheck;
    const script = hargs.find((a) => a.endsWith('.js'));
    if (script && !existsSync(join(prod, script))) t.fail(`HEALTHCHECK names ${script}, which the final stage lacks`);
    else {
      const h = await run([hbin === 'node' ? process.execPath : hbin, ...hargs].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), prod, runEnv);
      t.equal(h.code, 0, `HEALTHCHECK exits 0 against the running server (${h.out.trim()})`);
    }
  } else {
    t.comment('no HEALTHCHECK in the Dockerfile: only CMD is checked');
  }

  server.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM: exit 0');
});
