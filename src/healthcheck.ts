#!/usr/bin/env node
// volc-im-mock-healthcheck: exits 0 when http://127.0.0.1:${PORT:-8080}/_mock/health answers 200 within 2 s,
// 1 otherwise. For container HEALTHCHECKs without curl.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export async function isHealthy(port: number | string, host = '127.0.0.1', timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}:${port}/_mock/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The script node was asked to run, symlinks resolved: npm installs bins as symlinks (node_modules/.bin). */
function invokedScript(): string | undefined {
  try {
    return process.argv[1] ? pathToFileURL(realpathSync(process.argv[1])).href : undefined;
  } catch {
    return undefined;
  }
}

if (import.meta.url === invokedScript()) {
  isHealthy(process.env.PORT || 8080).then((ok) => process.exit(ok ? 0 : 1));
}
