// The README's list of emulated actions is generated from the dispatch table, so it cannot drift.
// `npm run docs` (UPDATE_README=1) rewrites it.
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PACKAGE_ROOT } from '../src/config.js';
import { ACTIONS, VENDOR_QPS } from '../src/actions/index.js';

const README = resolve(PACKAGE_ROOT, 'README.md');
const START = '<!-- actions:start -->';
const END = '<!-- actions:end -->';

function actionsBlock(): string {
  const emulated = new Set(ACTIONS.map((a) => a.name));
  const rows = [...ACTIONS].sort((a, b) => a.name.localeCompare(b.name)).map((a) => `| ${a.name} | ${a.qps} |`);
  const others = Object.keys(VENDOR_QPS).filter((n) => !emulated.has(n)).sort();
  return [
    START,
    `${ACTIONS.length} of the vendor's ${Object.keys(VENDOR_QPS).length} actions:`,
    '',
    '| Action | QPS |',
    '|---|---|',
    ...rows,
    '',
    `Not emulated yet (answered 404 \`InvalidActionOrVersion\`, saying so): ${others.join(', ')}.`,
    END,
  ].join('\n');
}

t.test('README lists exactly the emulated actions', async (t) => {
  const text = readFileSync(README, 'utf8');
  const from = text.indexOf(START);
  const to = text.indexOf(END);
  t.ok(from >= 0 && to > from, 'README has the actions markers');
  const current = text.slice(from, to + END.length);
  const wanted = actionsBlock();
  if (process.env.UPDATE_README === '1' && current !== wanted) {
    writeFileSync(README, text.slice(0, from) + wanted + text.slice(to + END.length));
    t.pass('README rewritten');
    return;
  }
  t.equal(current, wanted, 'the list matches the dispatch table (run `npm run docs` to regenerate)');
});
