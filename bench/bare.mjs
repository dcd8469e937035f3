// The ceiling: a bare Fastify route answering the emulator's exact bytes, with the same logger settings.
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] ?? 0);
const file = args.find((a) => a.endsWith('.json'));
const bytes = readFileSync(file, 'utf8');
const app = Fastify({ logger: { level: 'info' }, bodyLimit: 1024 * 1024 });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post('/', (req, reply) => {
  req.log.info({ Action: 'GetMessagesReadReceipt', status: 200 }, 'request');
  reply.header('content-type', 'application/json; charset=utf-8').send(bytes);
});
await app.listen({ port, host: '127.0.0.1' });
