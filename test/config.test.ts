// Configuration (mock-contract §6): parseConfig, then the real process refusing bad values with exit status 2.
import t from 'tap';
import { createServer } from 'node:net';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { parseConfig, ConfigError, DEFAULT_FIXTURES, PACKAGE_ROOT } from '../src/config.js';
import { ensureBuilt, runServer, SERVER_JS, type Exited } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'volc-im-mock-config-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

t.test('defaults', async (t) => {
  const c = parseConfig([], {});
  t.equal(c.port, 8080);
  t.equal(c.host, '127.0.0.1');
  t.equal(c.fixtures, DEFAULT_FIXTURES);
  t.equal(c.fixtures, join(PACKAGE_ROOT, 'fixtures', 'default.json'), 'the default resolves against the package, not the cwd');
  t.ok(existsSync(c.fixtures), 'and exists');
  t.equal(c.data, undefined, 'state in memory');
  t.equal(c.rateLimit, undefined, 'documented QPS per action');
  t.equal(c.logLevel, 'info');
  t.equal(c.seed, undefined);
});

t.test('environment', async (t) => {
  const c = parseConfig([], {
    PORT: '9001', HOST: '0.0.0.0', VOLC_MOCK_FIXTURES: 'worlds/a.json', VOLC_MOCK_DATA: 'state.json',
    VOLC_MOCK_RATE_LIMIT: '0', LOG_LEVEL: 'debug', VOLC_MOCK_SEED: '9223372036854775807',
  });
  t.equal(c.port, 9001);
  t.equal(c.host, '0.0.0.0');
  t.equal(c.fixtures, resolve('worlds/a.json'), 'a path the user gives resolves against the working directory');
  t.equal(c.data, resolve('state.json'));
  t.equal(c.rateLimit, 0, '0 turns limiting off (not "unset")');
  t.equal(c.logLevel, 'debug');
  t.equal(c.seed, 9223372036854775807n, 'seed exact');
  t.equal(parseConfig([], { PORT: '0' }).port, 0, 'port 0: any free port');
  t.equal(parseConfig([], { VOLC_MOCK_RATE_LIMIT: '7' }).rateLimit, 7);
  t.equal(parseConfig([], { VOLC_MOCK_DATA: '' }).data, undefined, 'an empty variable is unset');
  t.equal(parseConfig([], { PORT: '' }).port, 8080, 'PORT= is the default, not an unset port');
  t.equal(parseConfig(['--port', ''], { PORT: '9005' }).port, 9005, 'an empty flag is not given');
  t.equal(parseConfig([], { VOLC_MOCK_FIXTURES: '' }).fixtures, DEFAULT_FIXTURES);
});

t.test('a flag wins over the environment', async (t) => {
  const env = { PORT: '9001', HOST: '0.0.0.0', VOLC_MOCK_FIXTURES: 'env.json', VOLC_MOCK_DATA: 'env-data.json', VOLC_MOCK_RATE_LIMIT: '5', LOG_LEVEL: 'debug', VOLC_MOCK_SEED: '1' };
  const c = parseConfig(['--port', '9002', '--host=::1', '--fixtures', '/abs/flag.json', '--data', 'flag-data.json', '--rate-limit', '6', '--log-level', 'warn', '--seed', '2'], env);
  t.same(
    [c.port, c.host, c.fixtures, c.data, c.rateLimit, c.logLevel, c.seed],
    [9002, '::1', '/abs/flag.json', resolve('flag-data.json'), 6, 'warn', 2n],
  );
  t.equal(parseConfig(['--port', '9003'], { PORT: 'abc' }).port, 9003, 'a bad env value a flag overrides is not read');
});

t.test('each bad value throws a ConfigError: one line naming the value', async (t) => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['port 70000', ['--port', '70000'], {}, /^--port=70000: must be an integer from 0 to 65535$/],
    ['port abc', ['--port', 'abc'], {}, /^--port=abc: /],
    ['port -1', ['--port=-1'], {}, /^--port=-1: /],
    ['port -1 without =', ['--port', '-1'], {}, /--port/],
    ['port 80.5', ['--port', '80.5'], {}, /^--port=80\.5: /],
    ['PORT abc in the environment', [], { PORT: 'abc' }, /^PORT=abc: /],
    ['rate-limit -1', ['--rate-limit=-1'], {}, /^--rate-limit=-1: /],
    ['rate-limit x', [], { VOLC_MOCK_RATE_LIMIT: 'x' }, /^VOLC_MOCK_RATE_LIMIT=x: /],
    ['log-level loud', ['--log-level', 'loud'], {}, /^--log-level=loud: must be one of fatal, error, warn, info, debug, trace, silent$/],
    ['LOG_LEVEL loud', [], { LOG_LEVEL: 'loud' }, /^LOG_LEVEL=loud: /],
    ['seed -1', ['--seed=-1'], {}, /^--seed=-1: /],
    ['unknown flag', ['--nope', '1'], {}, /--nope/],
    ['a positional argument', ['serve'], {}, /serve/],
    ['a flag without its value', ['--port'], {}, /--port/],
  ];
  for (const [name, argv, env, want] of cases) {
    let err: unknown;
    try { parseConfig(argv, env); } catch (e) { err = e; }
    t.ok(err instanceof ConfigError, `${name}: ConfigError`);
    const message = (err as Error | undefined)?.message ?? '';
    t.match(message, want, `${name}: ${message}`);
    t.notOk(message.includes('\n'), `${name}: one line`);
  }
});

t.test('the real process', async (t) => {
  ensureBuilt();
  const oneLine = (t: any, stderr: string, want: RegExp) => {
    const lines = stderr.split('\n').filter((l) => l.trim());
    t.equal(lines.length, 1, `one stderr line: ${JSON.stringify(stderr)}`);
    t.match(lines[0], want);
  };
  const file = (name: string, content: string) => { const f = join(tmp, name); writeFileSync(f, content); return f; };
  const missing = join(tmp, 'missing.json');
  const badJson = file('bad.json', '{"Conversations":[{"AppId":00000}]}');
  const invalid = file('invalid.json', '{"Conversations":[{"AppId":1,"ConversationShortId":1,"ConversationType":7}]}');
  const badData = file('data.json', 'not json');
  const blocker = createServer();
  await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
  t.teardown(() => new Promise<void>((res) => blocker.close(() => res())));
  const busy = (blocker.address() as { port: number }).port;
  // the processes run side by side; each subtest awaits its own
  const runs = {
    port: runServer(['--port', '70000']),
    env: runServer([], { env: { PORT: 'abc' } }),
    flag: runServer(['--bogus']),
    missing: runServer(['--port', '0', '--fixtures', missing]),
    badJson: runServer(['--port', '0', '--fixtures', badJson]),
    invalid: runServer(['--port', '0'], { env: { VOLC_MOCK_FIXTURES: invalid } }),
    badData: runServer(['--port', '0', '--data', badData]),
    busy: runServer(['--port', String(busy), '--log-level', 'silent']),
    host: runServer(['--port', '0', '--host', 'nope.invalid', '--log-level', 'silent']),
    dataDir: runServer(['--port', '0', '--data', join(tmp, 'no-such-dir', 'state.json')]),
  };
  const cases: [string, Promise<Exited>, RegExp][] = [
    ['--port 70000', runs.port, /^volc-im-mock: --port=70000: must be an integer from 0 to 65535$/],
    ['PORT=abc in the environment', runs.env, /^volc-im-mock: PORT=abc: /],
    ['an unknown flag', runs.flag, /^volc-im-mock: .*--bogus/],
    ['a nonexistent --fixtures file', runs.missing, new RegExp(`^volc-im-mock: fixtures ${missing.replace(/[.]/g, '\\.')}: cannot be read \\(ENOENT\\)$`)],
    ['a fixture file with invalid JSON', runs.badJson, /^volc-im-mock: fixtures .*bad\.json: not valid JSON/],
    ['a fixture file with an invalid document', runs.invalid, /^volc-im-mock: fixtures .*invalid\.json: invalid: Conversations\[0\]\.ConversationType: must be 1, 2 or 100$/],
    ['a data file with invalid JSON', runs.badData, /^volc-im-mock: data file .*data\.json: not valid JSON/],
    ['a port in use', runs.busy, new RegExp(`^volc-im-mock: --port ${busy} / --host 127\\.0\\.0\\.1: EADDRINUSE: another process listens there; pick another port with --port N or PORT=N \\(0 = any free port\\)$`)],
    ['a data file in a missing directory', runs.dataDir, /^volc-im-mock: data file .*no-such-dir\/state\.json: cannot be written \(ENOENT on its directory\)$/],
    ['a host that does not resolve', runs.host, /^volc-im-mock: --port 0 \/ --host nope\.invalid: (ENOTFOUND|EAI_AGAIN)$/],
  ];
  for (const [name, run, want] of cases) {
    await t.test(`${name}: exit 2, one stderr line`, async (t) => {
      const r = await run;
      t.equal(r.code, 2, 'exit status 2');
      oneLine(t, r.stderr, want);
      t.notOk(/^\s+at /m.test(r.stderr), 'no stack trace');
    });
  }
  t.equal((await runs.port).stdout, '', 'a config error prints nothing on stdout');

  await t.test('the start script names the built server', async (t) => {
    const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'));
    // exec: npm's child is node itself, so the SIGTERM npm forwards reaches the server (test/stop.test.ts)
    t.equal(pkg.scripts.start, 'exec node dist/server.js');
    t.ok(existsSync(SERVER_JS));
    t.ok(existsSync(join(PACKAGE_ROOT, pkg.main)), `main ${pkg.main} exists`);
  });
});
