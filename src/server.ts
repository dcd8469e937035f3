#!/usr/bin/env node
// The process: config -> buildApp -> listen -> graceful close on SIGTERM/SIGINT.
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { loggerOptions } from './logger.js';
import { parseConfig, ConfigError, type Config } from './config.js';
import { StartupError } from './store/load.js';
import { answerInfoFlags } from './cli.js';
import { urlHost } from './index.js';

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (answerInfoFlags(argv)) return;
  let config: Config;
  try {
    config = parseConfig(argv);
  } catch (e) {
    if (e instanceof ConfigError) exitWith(e.message);
    throw e;
  }
  const app = await buildApp({
    fixtures: config.fixtures, data: config.data, rateLimit: config.rateLimit, index: config.index, seed: config.seed,
    auth: config.auth, credentials: config.credentials, apps: config.apps, maxClockSkew: config.maxClockSkew, authDebug: config.authDebug,
    journalSize: config.journalSize, adminToken: config.adminToken, bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeout, keepAliveTimeout: config.keepAliveTimeout, connectionTimeout: config.connectionTimeout,
    callbacks: config.callbackUrl ? { url: config.callbackUrl, secretKey: config.callbackSecret, events: config.callbackEvents } : undefined,
    // JSON lines by default; human-readable when a person watches the terminal
    logger: loggerOptions(config.logLevel),
  });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    if (e instanceof StartupError) exitWith(e.message);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') exitWith(`--port ${config.port} / --host ${config.host}: EADDRINUSE: another process listens there; pick another port with --port N or PORT=N (0 = any free port)`);
    if (['EACCES', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN'].includes(err.code ?? '')) exitWith(`--port ${config.port} / --host ${config.host}: ${err.code}`);
    throw e;
  }
  const base = `http://${urlHost(config.host)}:${(app.server.address() as AddressInfo).port}`;
  app.log.info({ page: `${base}/_mock/ui`, control: `${base}/_mock/` }, `page: ${base}/_mock/ui`);
  if (config.auth !== 'off') app.log.info({ auth: config.auth, accessKeyIds: config.credentials?.map((c) => c.accessKeyId) ?? [] }, 'signature checks on');
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    app.close().then(() => process.exit(0), (err) => { app.log.error({ err }, `close failed: ${(err as Error).message}`); process.exit(1); });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function exitWith(line: string): never {
  process.stderr.write(`volc-im-mock: ${line}\n`);
  process.exit(2);
}

main().catch((err) => {
  process.stderr.write(`volc-im-mock: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
