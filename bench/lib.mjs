// What the benchmark and the soak share: where the package is, the vendor URL form, a free port, a process's RSS.
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const action = (a) => `/?Action=${a}&Version=2020-12-01`;

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve) => { const srv = createServer(); srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); }); });
}

/** Resident memory of a child process, MB. */
export function rssMb(child) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
}
