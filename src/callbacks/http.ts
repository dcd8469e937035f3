// One POST of a callback body to the application's server: Node's own client with keep-alive agents, a timeout from
// the scheduler, and an outcome that never throws (a bad URL, a refused connection or a hung receiver are outcomes).
import http from 'node:http';
import https from 'node:https';
import type { Scheduler } from './scheduler.js';

/** Receivers answering more than this are cut off (the answer only carries a CheckCode, perhaps Content and Ext). */
export const MAX_ANSWER_BYTES = 64 * 1024;
/** Connections to one receiver at most; further deliveries wait for one. */
export const MAX_SOCKETS = 32;

export interface Outcome {
  /** the receiver's HTTP status, when it answered */
  httpStatus?: number;
  /** its body, when it answered (up to MAX_ANSWER_BYTES) */
  answer?: string;
  /** why there is no answer: timeout, connection error, bad URL */
  error?: string;
  durationMs: number;
}

export class Poster {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  };
  private readonly urls = new Map<string, URL | string>();

  constructor(private readonly scheduler: Scheduler) {}

  post(url: string, body: string, timeoutMs: number): Promise<Outcome> {
    const started = performance.now();
    const done = (o: Omit<Outcome, 'durationMs'>): Outcome => ({ ...o, durationMs: Math.round((performance.now() - started) * 1000) / 1000 });
    const target = this.parse(url);
    if (typeof target === 'string') return Promise.resolve(done({ error: target }));
    return new Promise((resolve) => {
      let settled = false;
      let cancel = () => {};
      const finish = (o: Omit<Outcome, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        cancel();
        resolve(done(o));
      };
      let req: http.ClientRequest;
      try {
        req = this.request(target, body, finish);
      } catch (err) { // what Node refuses before sending anything: an outcome too, never a throw
        finish({ error: (err as Error).message });
        return;
      }
      cancel = this.scheduler.after(timeoutMs, () => {
        finish({ error: `no answer within ${timeoutMs} ms` });
        req.destroy();
      }, 'timeout');
      req.on('error', (err: NodeJS.ErrnoException) => finish({ error: err.code ? `${err.code}: ${err.message}` : err.message }));
      req.end(body);
    });
  }

  /** The POST, its answer read up to MAX_ANSWER_BYTES. */
  private request(target: URL, body: string, finish: (o: Omit<Outcome, 'durationMs'>) => void): http.ClientRequest {
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, {
      method: 'POST', agent: this.agents[target.protocol as 'http:' | 'https:'],
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'user-agent': 'volc-im-mock' },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size > MAX_ANSWER_BYTES) { req.destroy(); finish({ httpStatus: res.statusCode, error: `answer larger than ${MAX_ANSWER_BYTES} bytes` }); return; }
        chunks.push(d);
      });
      res.on('end', () => finish({ httpStatus: res.statusCode, answer: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => finish({ httpStatus: res.statusCode, error: err.message }));
    });
    return req;
  }

  /** A URL, or why it cannot be used; parsed once per distinct URL (a bounded number: one per configuration). */
  private parse(url: string): URL | string {
    let known = this.urls.get(url);
    if (known !== undefined) return known;
    try {
      const u = new URL(url);
      known = u.protocol === 'http:' || u.protocol === 'https:' ? u : `unsupported URL scheme ${u.protocol} (only http: and https:)`;
    } catch {
      known = `not a URL: ${url}`;
    }
    if (this.urls.size >= 1024) this.urls.clear();
    this.urls.set(url, known);
    return known;
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
