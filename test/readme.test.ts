// The README's list of emulated actions is generated from the dispatch table, so it cannot drift; every relative
// Markdown link in README.md and docs/ points at a file that exists (and a heading that exists, for #anchors).
// `npm run docs` (UPDATE_README=1) rewrites it.
import t from 'tap';
import { readFileSync, writeFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { resolve, dirname, relative } from 'node:path';
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
    ...(others.length > 0 ? ['', `Not emulated yet (answered 404 \`InvalidActionOrVersion\`, saying so): ${others.join(', ')}.`] : []),
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

/** README.md and every .md under docs/. */
function markdownFiles(): string[] {
  const out = [README];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = resolve(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md')) out.push(p);
    }
  };
  walk(resolve(PACKAGE_ROOT, 'docs'));
  return out;
}

/** The text outside fenced code blocks and code spans, where a link is a link. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const seen = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    seen.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return seen;
}

t.test('every relative Markdown link in README.md and docs/ resolves', async (t) => {
  const broken: string[] = [];
  let checked = 0;
  for (const file of markdownFiles()) {
    for (const m of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      checked++;
      const [path, anchor] = target.split('#');
      const to = path === '' ? file : resolve(dirname(file), path);
      const where = `${relative(PACKAGE_ROOT, file)}: (${target})`;
      if (!existsSync(to)) { broken.push(`${where}: no such file`); continue; }
      if (anchor && to.endsWith('.md') && statSync(to).isFile() && !anchors(to).has(anchor)) broken.push(`${where}: no such heading`);
    }
  }
  t.ok(checked > 20, `links checked: ${checked}`);
  t.same(broken, [], 'no broken link');
});
