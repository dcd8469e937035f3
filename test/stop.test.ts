// Stopping `npm start`: a process manager, a CI step or `timeout` send SIGTERM to npm, a terminal's Ctrl-C sends
// SIGINT, and `kill <pid of node>` reaches the server itself. Whichever process gets the signal, the server closes,
// the port is free and no node process is left behind (issue 17: npm used to exit and orphan `node dist/server.js`).
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { PACKAGE_ROOT } from '../src/config.js';
import { cleanEnv, ensureBuilt } from './helpers.js';

ensureBuilt();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
  });
}

/** true when something can listen on the port again. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `npm start -- --port P` in its own process group (so the teardown can end whatever is left); resolves with npm's
 * pid and the server's (pino's JSON lines carry it) once the server listens. */
async function npmStart(t: Test, port: number) {
  const env = cleanEnv();
  for (const k of Object.keys(env)) if (/^npm_/i.test(k)) delete env[k];
  const npm = spawn('npm', ['start', '--', '--port', String(port)], { cwd: PACKAGE_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => { try { process.kill(-npm.pid!, 'SIGKILL'); } catch { /* all gone */ } });
  let out = '';
  npm.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => npm.on('exit', (code, signal) => r({ code, signal })));
  const serverPid = await new Promise<number>((resolve, reject) => {
    npm.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.includes('Server listening at'));
      if (line) resolve(JSON.parse(line).pid);
    });
    npm.on('exit', () => reject(new Error(`npm start exited before the server listened:\n${out}`)));
  });
  return { npm, serverPid, exited, output: () => out };
}

/** After the stop: the server process is gone (it would be an orphan of init otherwise) and the port is free. */
async function waitGone(pid: number): Promise<boolean> {
  // npm has exited; its child is reaped by then unless it was orphaned. A short bounded poll for the kernel's bookkeeping.
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
}

for (const [who, signal] of [['npm', 'SIGTERM'], ['npm', 'SIGINT'], ['node', 'SIGTERM']] as const) {
  t.test(`${signal} to ${who} stops npm start: server closed, port free, no orphan`, { timeout: 30_000 }, async (t) => {
    const port = await freePort();
    const run = await npmStart(t, port);
    t.not(run.serverPid, run.npm.pid, 'the server is a process of its own');
    t.equal((await fetch(`http://127.0.0.1:${port}/_mock/health`)).status, 200, 'it answers');
    process.kill(who === 'npm' ? run.npm.pid! : run.serverPid, signal);
    const npmExit = await run.exited;
    t.ok(await waitGone(run.serverPid), `node (pid ${run.serverPid}) is gone once npm has exited`);
    t.ok(await portIsFree(port), `port ${port} is free`);
    t.match(run.output(), new RegExp(`"signal":"${signal}","msg":"shutting down"`), 'the server logged a graceful shutdown');
    t.ok(npmExit.code === 0 || npmExit.signal === signal, `npm ends cleanly (${JSON.stringify(npmExit)})`);
  });
}
