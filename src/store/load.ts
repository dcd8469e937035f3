// Loading the initial world: the data file when it exists, else the fixtures (mock-contract §6-7).
import { readFile, access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseJson, JsonSyntaxError } from '../protocol/json.js';
import { conversationsFromFixture, FixtureError } from './fixtures.js';
import { DataFileSink } from './persistence.js';
import type { Conversation } from './model.js';

/** A start-up problem with a file: one clear line naming the file and the reason. */
export class StartupError extends Error {}

export async function readFixtureFile(file: string, what = 'fixtures'): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StartupError(`${what} ${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
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
  if (opts.data) {
    let doc: unknown;
    try {
      doc = await DataFileSink.read(opts.data);
    } catch (e) {
      const reason = e instanceof JsonSyntaxError ? `not valid JSON: ${e.message}` : `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
      throw new StartupError(`data file ${opts.data}: ${reason}`);
    }
    if (doc !== undefined) return { source: `data file ${opts.data}`, conversations: conversationsFrom(doc, nowMs, `data file ${opts.data}`) };
  }
  if (opts.fixtureDoc !== undefined) return { source: 'fixture document', conversations: conversationsFrom(opts.fixtureDoc, nowMs, 'fixture document') };
  if (!opts.fixtures) return { source: 'empty world', conversations: [] };
  const doc = await readFixtureFile(opts.fixtures);
  return { source: `fixtures ${opts.fixtures}`, conversations: conversationsFrom(doc, nowMs, `fixtures ${opts.fixtures}`) };
}

/** The data file is rewritten as a temp file + rename in its directory: that directory must exist and be writable. */
export async function checkDataFileWritable(file: string): Promise<void> {
  try {
    await access(dirname(file), constants.W_OK);
  } catch (e) {
    throw new StartupError(`data file ${file}: cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message} on its directory)`);
  }
}
