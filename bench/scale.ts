/**
 * bench/scale — delivery throughput and CPU per delivery of real host processes (core/server.ts,
 * as `npm start` runs them) for: 1 process on SQLite, 1 on PostgreSQL, 2 on PostgreSQL.
 *   npm run bench:scale                (add --quick for a run of about 3 minutes, --rounds=N (≥ 3))
 * BENCH_DATABASE_URL (else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
 * names a PostgreSQL server: the run creates two throwaway databases on it and drops them at the end.
 *
 * Each configuration's processes start once (webhooks plugin + the scale-probe fixture, which
 * fires events over REST and reports its process's CPU time); then, after a discarded warm-up,
 * interleaved rounds: each configuration in turn gets a burst of events fired over REST (8 callers,
 * 10 events per request, spread over its processes; 4 webhooks on a receiver in its own process),
 * timed from the first request until every delivery is received and its attempt recorded as a
 * success. Per round: deliveries/s, CPU-seconds of the host processes per 1,000 deliveries
 * (process.cpuUsage, user + system), and on PostgreSQL the lock waits on the claim — the server's
 * own sessions sampled every 10 ms (pg_stat_activity): samples in which one of the database's
 * backends waited on a lock (wait_event_type 'Lock'), and how many of those were claims (a query
 * with FOR UPDATE on webhook_deliveries). Prints every round and then medians.
 * On 2 cores scaling shows as flat CPU per delivery and no lock waits, not as wall-clock.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { ChildHost, createWebhooksChild, pluginsFolder, tempDataDir } from '../test/helpers/child-host.js';

const quick = process.argv.includes('--quick');
const rounds = Math.max(3, Number(process.argv.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5));
const EVENTS = quick ? 400 : 1_000;
const WEBHOOKS = 4;
const CALLERS = 8;
const PER_REQUEST = 10;
const SERVER_URL = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const here = path.dirname(fileURLToPath(import.meta.url));

/** The receiver of bench/delivery, in its own process; `count()` = requests received since the last reset. */
async function receiverProcess(): Promise<{ child: ChildProcess; url: string; count(): Promise<number>; reset(): Promise<unknown> }> {
  const child = fork(path.join(here, 'receiver.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve));
  const ask = <T>(cmd: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m: T) => resolve(m));
      child.send({ cmd });
    });
  return { child, url: `http://127.0.0.1:${port}`, count: async () => (await ask<{ count: number }>('stats')).count, reset: () => ask('reset') };
}

/** One configuration: its processes and how to count the successful attempts in its database. */
interface Setup {
  name: string;
  hosts: ChildHost[];
  urls: string[];
  succeeded(): Promise<number>;
  /** PostgreSQL: the database name (for pg_stat_activity). */
  datname?: string;
  close(): Promise<void>;
}

const until = async (probe: () => Promise<boolean>, what: string, ms = 300_000) => {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const plugins = pluginsFolder(['webhooks'], ['scale-probe']);
const baseEnv = () => ({
  PLUGINS_DIR: plugins.dir,
  WEBHOOKS_ALLOW_NETWORKS: '127.0.0.0/8',
  WEBHOOKS_CONCURRENCY: '64',
  WEBHOOKS_PER_ENDPOINT: '64',
});

/** Starts `n` host processes with `env` (at log level info: ChildHost waits for the "listening" line); resolves once all listen. */
async function startHosts(n: number, env: Record<string, string>): Promise<{ hosts: ChildHost[]; urls: string[] }> {
  const hosts: ChildHost[] = [];
  for (let i = 0; i < n; i++) hosts.push(ChildHost.start({ ...env, LOG_LEVEL: 'info' }));
  const urls = await Promise.all(hosts.map((h) => h.ready));
  return { hosts, urls };
}

async function sqliteSetup(receiver: string): Promise<Setup> {
  const data = tempDataDir('hookpress-bench-scale-');
  const { hosts, urls } = await startHosts(1, { ...baseEnv(), DATA_DIR: data.dir });
  await createWebhooksChild(urls[0]!, hooksOn(receiver, 'sqlite'));
  const db = new Database(path.join(data.dir, 'hookpress.sqlite'), { readonly: true, fileMustExist: true });
  const count = db.prepare("SELECT COUNT(*) AS n FROM webhook_attempts WHERE success = 1");
  return {
    name: '1 process, SQLite',
    hosts,
    urls,
    succeeded: async () => (count.get() as { n: number }).n,
    async close() {
      await Promise.all(hosts.map((h) => h.stop()));
      db.close();
      data.remove();
    },
  };
}

async function postgresSetup(receiver: string, processes: number, datname: string): Promise<Setup> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${datname}`);
  await admin.end();
  const u = new URL(SERVER_URL);
  u.pathname = `/${datname}`;
  const data = tempDataDir('hookpress-bench-scale-');
  // The first process makes the schema and the super admin; the others start on it.
  const first = await startHosts(1, { ...baseEnv(), DATA_DIR: data.dir, DATABASE_URL: u.toString() });
  const rest = processes > 1 ? await startHosts(processes - 1, { ...baseEnv(), DATA_DIR: data.dir, DATABASE_URL: u.toString() }) : { hosts: [], urls: [] };
  const hosts = [...first.hosts, ...rest.hosts];
  const urls = [...first.urls, ...rest.urls];
  await createWebhooksChild(urls[0]!, hooksOn(receiver, datname));
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  return {
    name: `${processes} process${processes > 1 ? 'es' : ''}, PostgreSQL`,
    hosts,
    urls,
    datname,
    succeeded: async () => (await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM webhook_attempts WHERE success = 1')).rows[0]!.n,
    async close() {
      await Promise.all(hosts.map((h) => h.stop()));
      await client.end();
      data.remove();
      const admin2 = new pg.Client({ connectionString: SERVER_URL });
      await admin2.connect();
      await admin2.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
      await admin2.end();
    },
  };
}

function hooksOn(receiver: string, tag: string) {
  return Array.from({ length: WEBHOOKS }, (_, i) => ({ name: `${tag}-${i + 1}`, url: `${receiver}/${tag}/${i + 1}`, event: 'scale_probe' }));
}

/** CPU time (user + system, µs) of each host process so far, as it reports it (process.cpuUsage). */
async function cpuMicros(urls: string[]): Promise<number> {
  const all = await Promise.all(urls.map(async (u) => (await (await fetch(`${u}/wp-json/scale-probe/v1/cpu`)).json()) as { user: number; system: number }));
  return all.reduce((s, c) => s + c.user + c.system, 0);
}

/** Lock-wait samples of one round, and the CPU time of the database's PostgreSQL backends. */
interface ServerSamples {
  samples: number;
  /** Samples in which at least one backend waited on a lock. */
  waiting: number;
  /** Of those, samples in which a claim (SELECT … FOR UPDATE on webhook_deliveries) waited. */
  claims: number;
  /** Waiting backends by statement (its first words), summed over the samples. */
  byStatement: Map<string, number>;
  /** CPU-seconds of the database's backends over the round (from /proc; clock ticks). */
  serverCpuSeconds: number;
}

const TICKS_PER_SECOND = 100; // Linux USER_HZ (getconf CLK_TCK)

/** utime + stime of a process in clock ticks, or undefined when it is gone or unreadable. */
function procTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/** A statement's kind for the lock report: its first words, numbers and parameters dropped. */
const statementKind = (q: string) => q.replace(/\s+/g, ' ').replace(/\$\d+|\d+/g, '?').slice(0, 70);

/**
 * Samples the database's backends every 10 ms until `stop()` (pg_stat_activity): lock waits, by
 * statement, and each backend's CPU time (/proc/<pid>/stat — the server runs on this machine).
 */
function sampleServer(datname: string): { stop(): Promise<ServerSamples> } {
  const client = new pg.Client({ connectionString: SERVER_URL });
  let running = true;
  const result: ServerSamples = { samples: 0, waiting: 0, claims: 0, byStatement: new Map(), serverCpuSeconds: 0 };
  const cpu = new Map<number, { first: number; last: number }>();
  let firstSample = true;
  const done = (async () => {
    await client.connect();
    const own = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    while (running) {
      const { rows } = await client.query<{ pid: number; query: string; lock: boolean }>(
        "SELECT pid, query, wait_event_type = 'Lock' AS lock FROM pg_stat_activity WHERE datname = $1 AND pid <> $2",
        [datname, own],
      );
      result.samples++;
      const waiting = rows.filter((r) => r.lock);
      if (waiting.length) result.waiting++;
      if (waiting.some((r) => /webhook_deliveries/i.test(r.query) && /for update/i.test(r.query))) result.claims++;
      for (const r of waiting) result.byStatement.set(statementKind(r.query), (result.byStatement.get(statementKind(r.query)) ?? 0) + 1);
      for (const r of rows) {
        const ticks = procTicks(r.pid);
        if (ticks === undefined) continue;
        const seen = cpu.get(r.pid);
        // A backend first seen after the round began did all its work in it.
        if (!seen) cpu.set(r.pid, { first: firstSample ? ticks : 0, last: ticks });
        else seen.last = ticks;
      }
      firstSample = false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.end();
    result.serverCpuSeconds = [...cpu.values()].reduce((n, c) => n + c.last - c.first, 0) / TICKS_PER_SECOND;
  })();
  return {
    async stop() {
      running = false;
      await done;
      return result;
    },
  };
}

interface RoundResult {
  perSecond: number;
  cpuPer1000: number;
  server?: ServerSamples;
  /** PostgreSQL: CPU-seconds of the database's backends per 1,000 deliveries. */
  serverCpuPer1000?: number;
}

/** One burst on `s`: EVENTS events × WEBHOOKS webhooks, timed until every attempt is recorded. */
async function burst(s: Setup, receiver: Awaited<ReturnType<typeof receiverProcess>>, round: number): Promise<RoundResult> {
  const expected = EVENTS * WEBHOOKS;
  const before = await s.succeeded();
  await receiver.reset();
  const sampler = s.datname ? sampleServer(s.datname) : undefined;
  const cpuBefore = await cpuMicros(s.urls);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      for (;;) {
        const start = next;
        if (start >= EVENTS) return;
        next += PER_REQUEST;
        const base = s.urls[(caller + start / PER_REQUEST) % s.urls.length]!;
        const res = await fetch(`${base}/wp-json/scale-probe/v1/fire`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ from: `r${round}`, count: Math.min(PER_REQUEST, EVENTS - start), start }),
        });
        if (res.status !== 200) throw new Error(`fire: ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  await until(async () => (await receiver.count()) >= expected, 'deliveries received');
  await until(async () => (await s.succeeded()) - before >= expected, 'attempts recorded');
  const seconds = (performance.now() - started) / 1000;
  const cpu = (await cpuMicros(s.urls)) - cpuBefore;
  const server = await sampler?.stop();
  return { perSecond: expected / seconds, cpuPer1000: cpu / 1e6 / (expected / 1000), server, serverCpuPer1000: server && server.serverCpuSeconds / (expected / 1000) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const receiver = await receiverProcess();
const setups: Setup[] = [];
const started = performance.now();
try {
  console.log(
    `bench/scale  node ${process.version}  ${os.cpus().length} cores  load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}  ` +
      `${rounds} interleaved rounds of ${EVENTS} events × ${WEBHOOKS} webhooks = ${EVENTS * WEBHOOKS} deliveries (${CALLERS} callers, ${PER_REQUEST} events per request; medians)`,
  );
  const tag = `hp_bench_${process.pid}`;
  setups.push(await sqliteSetup(receiver.url));
  setups.push(await postgresSetup(receiver.url, 1, `${tag}_1`));
  setups.push(await postgresSetup(receiver.url, 2, `${tag}_2`));
  console.log(`  processes started in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  for (const s of setups) await burst(s, receiver, 0); // warm-up, discarded
  const results = new Map<string, RoundResult[]>(setups.map((s) => [s.name, []]));
  for (let r = 1; r <= rounds; r++) {
    // Interleaved, in a rotating order, so a drift of the machine's load spreads over all three.
    const order = setups.map((_, i) => setups[(i + r) % setups.length]!);
    const line: string[] = [];
    for (const s of order) {
      const res = await burst(s, receiver, r);
      results.get(s.name)!.push(res);
      const server = res.server ? ` + server ${res.serverCpuPer1000!.toFixed(2)}; lock waits ${res.server.waiting}/${res.server.samples} (claims ${res.server.claims})` : '';
      line.push(`${s.name} ${res.perSecond.toFixed(0)}/s ${res.cpuPer1000.toFixed(2)} CPU-s/1k${server}`);
    }
    console.log(`  round ${r}: ${line.join(' · ')}`);
  }
  console.log('medians:');
  for (const s of setups) {
    const rs = results.get(s.name)!;
    const servers = rs.flatMap((x) => (x.server ? [x.server] : []));
    const server = servers.length
      ? `; PostgreSQL backends ${median(rs.map((x) => x.serverCpuPer1000!)).toFixed(2)}; lock waits in ${servers.reduce((n, x) => n + x.waiting, 0)} of ${servers.reduce((n, x) => n + x.samples, 0)} samples (claims: ${servers.reduce((n, x) => n + x.claims, 0)})`
      : '';
    console.log(`  ${s.name.padEnd(24)} ${median(rs.map((x) => x.perSecond)).toFixed(0).padStart(6)} deliveries/s   CPU-s per 1,000 deliveries: host processes ${median(rs.map((x) => x.cpuPer1000)).toFixed(2)}${server}`);
    const byStatement = new Map<string, number>();
    for (const x of servers) for (const [k, n] of x.byStatement) byStatement.set(k, (byStatement.get(k) ?? 0) + n);
    for (const [k, n] of [...byStatement].sort((a, b) => b[1] - a[1]).slice(0, 4)) console.log(`      waiting on a lock: ${String(n).padStart(5)} × ${k}`);
  }
  console.log(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${((performance.now() - started) / 1000).toFixed(0)} s in all`);
} finally {
  for (const s of setups) await s.close().catch((error: unknown) => console.error(`closing ${s.name}:`, error));
  receiver.child.send({ cmd: 'exit' });
  plugins.remove();
}
