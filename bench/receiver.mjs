// The bench's callback receiver: a minimal HTTP/1.1 server on a raw socket (Content-Length bodies, keep-alive),
// answering every POST {"CheckCode":"0"} and GET /count with how many POSTs it has had. Minimal on purpose: the
// callbacks row measures what delivering costs the emulator, not what a receiver costs the shared machine.
import { createServer } from 'node:net';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1]);
const OK = Buffer.from('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 17\r\n\r\n{"CheckCode":"0"}');
let count = 0;

createServer((socket) => {
  let buf = Buffer.alloc(0);
  socket.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    // the answers to the requests of one read leave in one write, as pipelined requests allow
    socket.cork();
    process.nextTick(() => socket.uncork());
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const total = end + 4 + (m ? Number(m[1]) : 0);
      if (buf.length < total) return;
      buf = buf.subarray(total);
      if (head.startsWith('GET /count')) {
        const body = String(count);
        socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      } else {
        count++;
        socket.write(OK);
      }
    }
  });
  socket.on('error', () => {});
}).listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
