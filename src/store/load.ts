// Loading the initial world: the data file when it exists, else the fixtures (mock-contract §6-7).
import { existsSync } from 'node:fs';
import { readFile, access, constants, lstat, stat, realpath, readlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { JsonSyntaxError } from '../protocol/json.js';
import { worldFromFixture, worldFromFixtureText, dataFileLogId, FixtureError, type World } from './fixtures.js';
import { readLog, logFileOf } from './changelog.js';
import type { DataFileState } from './persistence.js';
import type { Conversation, IndexMode } from './model.js';
import { noExtras, type Extras } from './extras.js';

/** A start-up problem with a file: one clear line naming the file and the reason. */
export class StartupError extends Error {}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new StartupError(`${what} ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** A fixture or data file's conversations; every problem is one StartupError line naming the file. */
async function worldOfFile(file: string, what: string, nowMs: number, indexMode?: IndexMode): Promise<World> {
  const text = await readText(file, what);
  try {
    return worldFromFixtureText(text, nowMs, undefined, indexMode);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new StartupError(`${what} ${file}: not valid JSON: ${e.message}`);
    if (e instanceof FixtureError) throw new StartupError(`${what} ${file}: invalid: ${e.message}`);
    throw e;
  }
}

export function worldFrom(doc: unknown, nowMs: number, source: string, indexMode?: IndexMode): World {
  try {
    return worldFromFixture(doc, nowMs, indexMode);
  } catch (e) {
    if (e instanceof FixtureError) throw new StartupError(`${source}: invalid: ${e.message}`);
    throw e;
  }
}

/** A data file and its change log (FILE.log, see changelog.ts) to conversations, and the state the sink goes on from. */
async function worldOfDataFile(file: string, nowMs: number, indexMode?: IndexMode): Promise<{ world: World; state: DataFileState }> {
  const text = await readText(file, 'data file');
  const logId = dataFileLogId(text);
  const logFile = logFileOf(file);
  const logText = logId !== undefined && existsSync(logFile) ? await readText(logFile, 'data file log') : undefined;
  try {
    const log = readLog(logText, logId, logFile);
    const world = worldFromFixtureText(text, nowMs, log, indexMode);
    return { world, state: { logId, logCurrent: log.current, validBytes: log.validBytes, snapshotBytes: Buffer.byteLength(text) } };
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new StartupError(`data file ${file}: not valid JSON: ${e.message}`);
    if (e instanceof FixtureError) throw new StartupError(e.message.startsWith(logFile) ? `data file log ${e.message}` : `data file ${file}: invalid: ${e.message}`);
    throw e;
  }
}

/** The conversations to start with, where they came from, and (from a data file) the state its writer goes on from. */
export async function initialConversations(opts: { data?: string; fixtures?: string; fixtureDoc?: unknown; index?: IndexMode }, nowMs: number): Promise<{ source: string; conversations: Conversation[]; extras: Extras; dataFile?: DataFileState }> {
  if (opts.data && existsSync(opts.data)) {
    const { world, state } = await worldOfDataFile(opts.data, nowMs, opts.index);
    return { source: `data file ${opts.data}`, ...world, dataFile: state };
  }
  if (opts.fixtureDoc !== undefined) return { source: 'fixture document', ...worldFrom(opts.fixtureDoc, nowMs, 'fixture document', opts.index) };
  if (!opts.fixtures) return { source: 'empty world', conversations: [], extras: noExtras() };
  return { source: `fixtures ${opts.fixtures}`, ...(await worldOfFile(opts.fixtures, 'fixtures', nowMs, opts.index)) };
}

/**
 * The file the data is kept in, checked before anything is loaded. FILE is rewritten as a temp file + rename in its
 * directory, which must exist and be writable. A symlinked FILE is followed: its target is written (beside it, with
 * its log), so the link stays a link. A FILE the user made read-only (no write permission, for its owner or for
 * this process) is refused rather than replaced through its writable directory.
 */
export async function dataFileTarget(file: string): Promise<string> {
  const fail = (why: string) => new StartupError(`data file ${file}: cannot be written (${why})`);
  let target = file;
  const link = await lstat(file).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    target = await realpath(file).catch(async () => resolve(dirname(file), await readlink(file))); // dangling: its target will be created
  }
  const st = await stat(target).catch(() => undefined);
  if (st) {
    if (!st.isFile()) throw fail(`not a regular file${target === file ? '' : `: the link points to ${target}`}`);
    const readOnly = (st.mode & 0o222) === 0 || (await access(target, constants.W_OK).then(() => false, () => true));
    if (readOnly) throw fail(`the file${target === file ? '' : ` ${target} it links to`} is read-only; make it writable (chmod u+w) or choose another --data file`);
  }
  try {
    await access(dirname(target), constants.W_OK);
  } catch (e) {
    throw fail(`${(e as NodeJS.ErrnoException).code ?? (e as Error).message} on its directory${target === file ? '' : ` ${dirname(target)}`}`);
  }
  return target;
}
