// A webhook receiver in its own process for bench/delivery: answers 200 at once, and records
// the latency of each request from the `sent_at` in its body (epoch ms, sub-ms precision).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const latencies: number[] = [];
let count = 0;
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    count++;
    const now = performance.timeOrigin + performance.now();
    try {
      const sentAt = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sent_at?: number }).sent_at;
      if (typeof sentAt === 'number') latencies.push(now - sentAt);
    } catch {
      /* raw bench bodies carry no sent_at */
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as { port: number }).port });
});
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'stats') {
    process.send!({ count, latencies: msg.cmd === 'stats' ? latencies.splice(0) : [] });
  } else if (msg.cmd === 'reset') {
    count = 0;
    latencies.length = 0;
    process.send!({ ok: true });
  } else if (msg.cmd === 'exit') {
    server.close();
    process.exit(0);
  }
});
