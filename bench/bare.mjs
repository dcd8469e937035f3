// The ceiling: a bare Fastify route answering the emulator's exact bytes, with the same logger settings.
import Fastify from 'fastify';
import { serverSettings } from '../dist/app.js';
import { loggerOptions } from '../dist/logger.js';
import { readFileSync } from 'node:fs';
const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] ?? 0);
const file = args.find((a) => a.endsWith('.json'));
// --spin-us N: N µs of busy CPU per request, for the bench's calibration row (what N µs of any work costs the ratio)
const spinUs = args.includes('--spin-us') ? Number(args[args.indexOf('--spin-us') + 1]) : 0;
const bytes = readFileSync(file, 'utf8');
// the same server settings as the emulator's defaults: logger, body limit, one log line per request, timeouts
const app = Fastify({ logger: loggerOptions('info', false), ...serverSettings() });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/', (req, reply) => {
  if (spinUs) for (const until = performance.now() + spinUs / 1000; performance.now() < until;);
  req.log.info({ Action: 'GetMessagesReadReceipt', status: 200 }, 'request');
  reply.header('content-type', 'application/json; charset=utf-8').send(bytes);
});
await app.listen({ port, host: '127.0.0.1' });
process.on('SIGINT', () => app.close().then(() => process.exit(0)));
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
