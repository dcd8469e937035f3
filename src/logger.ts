// Logger options for the process: JSON lines written synchronously to stdout (pino's default stdout stream hands each
// line to libuv's thread pool, which cost more per request than the request itself), pretty on a terminal.
import pino from 'pino';
import type { FastifyServerOptions } from 'fastify';

export function loggerOptions(level: string, tty = process.stdout.isTTY === true): FastifyServerOptions['logger'] {
  if (tty) return { level, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } };
  return { level, stream: pino.destination({ dest: 1, sync: true }) };
}
