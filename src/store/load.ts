// Loading the initial world: the data file when it exists, else the fixtures (mock-contract §6-7).
import { existsSync } from 'node:fs';
import { readFile, access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseJson, JsonSyntaxError } from '../protocol/json.js';
import { conversationsFromFixture, conversationsFromFixtureText, FixtureError } from './fixtures.js';
import type { Conversation } from './model.js';

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
async function conversationsOfFile(file: string, what: string, nowMs: number): Promise<Conversation[]> {
  const text = await readText(file, what);
  try {
    return conversationsFromFixtureText(text, nowMs);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new StartupError(`${what} ${file}: not valid JSON: ${e.message}`);
    if (e instanceof FixtureError) throw new StartupError(`${what} ${file}: invalid: ${e.message}`);
    throw e;
  }
}

export async function readFixtureFile(file: string, what = 'fixtures'): Promise<unknown> {
  const text = await readText(file, what);
  try {
    return parseJson(text, { strictNumbers: true });
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new StartupError(`${what} ${file}: not valid JSON: ${e.message}`);
    throw e;
  }
}

export function conversationsFrom(doc: unknown, nowMs: number, source: string): Conversation[] {
  try {
    return conversationsFromFixture(doc, nowMs);
  } catch (e) {
    if (e instanceof FixtureError) throw new StartupError(`${source}: invalid: ${e.message}`);
    throw e;
  }
}

/** The conversations to start with, and where they came from. */
export async function initialConversations(opts: { data?: string; fixtures?: string; fixtureDoc?: unknown }, nowMs: number) {
  if (opts.data && existsSync(opts.data)) {
    return { source: `data file ${opts.data}`, conversations: await conversationsOfFile(opts.data, 'data file', nowMs) };
  }
  if (opts.fixtureDoc !== undefined) return { source: 'fixture document', conversations: conversationsFrom(opts.fixtureDoc, nowMs, 'fixture document') };
  if (!opts.fixtures) return { source: 'empty world', conversations: [] };
  return { source: `fixtures ${opts.fixtures}`, conversations: await conversationsOfFile(opts.fixtures, 'fixtures', nowMs) };
}

/** The data file is rewritten as a temp file + rename in its directory: that directory must exist and be writable. */
export async function checkDataFileWritable(file: string): Promise<void> {
  try {
    await access(dirname(file), constants.W_OK);
  } catch (e) {
    throw new StartupError(`data file ${file}: cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message} on its directory)`);
  }
}
