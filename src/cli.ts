// --help and --version, answered before any configuration is parsed. The help is generated from OPTIONS,
// so a flag added to src/config.ts shows up here with its environment variable and default.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { OPTIONS, PACKAGE_ROOT } from './config.js';

export function packageVersion(): string {
  return (JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function helpText(version = packageVersion()): string {
  const rows = Object.values(OPTIONS).map((o) => [`--${o.flag} <value>`, o.env, o.default === '' ? 'none' : o.default, o.help]);
  rows.push(['-h, --help', '', '', 'print this help and exit'], ['-v, --version', '', '', 'print the version and exit']);
  const width = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['flag', 'env', 'default'][i].length));
  const line = (r: string[]) => `  ${r[0].padEnd(width[0])}  ${r[1].padEnd(width[1])}  ${r[2].padEnd(width[2])}  ${r[3]}`.trimEnd();
  return [
    `volc-im-mock ${version}: local emulator of the Volcengine RTC IM server OpenAPI (Version 2020-12-01)`,
    '',
    'Usage: volc-im-mock [options]',
    'Every option can also be set by its environment variable; a flag wins over the variable.',
    '',
    line(['flag', 'env', 'default', 'meaning']),
    ...rows.map(line),
    '',
    'API:           POST http://<host>:<port>/?Action=<Action>&Version=2020-12-01',
    'Control plane: http://<host>:<port>/_mock/ (an index of the routes: health, ready, reset, requests, ...)',
    'Page:          http://<host>:<port>/_mock/ui (the journal and the world, live; default http://127.0.0.1:8080/_mock/ui)',
    '',
  ].join('\n');
}

/** Writes the help or the version and returns true when argv asks for one of them. */
export function answerInfoFlags(argv: readonly string[], out: NodeJS.WritableStream = process.stdout): boolean {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(helpText());
    return true;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    out.write(`${packageVersion()}\n`);
    return true;
  }
  return false;
}
