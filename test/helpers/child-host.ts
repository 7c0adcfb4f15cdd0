import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { PROJECT_ROOT } from '../../core/config.js';
import { ADMIN_PASSWORD, FIXTURE_PLUGINS } from './app.js';

const SERVER = path.join(PROJECT_ROOT, 'core', 'server.ts');

export interface LogLine {
  msg?: string;
  url?: string;
  level?: number;
  [key: string]: unknown;
}

/**
 * A real host process started as `npm start` starts it (core/server.ts), on its own
 * DATA_DIR, port 0, for tests of start-up, restart, locks and crashes. Its JSON log lines
 * are collected; `ready` resolves with its URL, or rejects with its output if it exits first.
 */
export class ChildHost {
  readonly lines: LogLine[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly ready: Promise<string>;
  private readonly waiters: Array<{ test: (l: LogLine) => boolean; resolve: (l: LogLine) => void }> = [];

  constructor(
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let buffered = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const text = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          continue;
        }
        this.lines.push(line);
        for (const w of [...this.waiters]) {
          if (w.test(line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.ready = Promise.race([
      this.waitFor((l) => typeof l.url === 'string' && /listening/.test(l.msg ?? '')).then((l) => l.url as string),
      this.exited.then(({ code, signal }) => {
        throw new Error(`host exited (${code ?? signal}) before listening:\n${this.stderr}\n${this.stdout}`);
      }),
    ]);
    this.ready.catch(() => {});
  }

  /** Starts `npm start`'s entry with `env` on top of a test environment. */
  static start(env: Record<string, string>): ChildHost {
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
      cwd: PROJECT_ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        HOST: '127.0.0.1',
        ADMIN_PASSWORD,
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ChildHost(child);
  }

  /** Resolves with the first log line (already seen or to come) that passes `test`. */
  waitFor(test: (l: LogLine) => boolean): Promise<LogLine> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (a graceful stop) and wait for the exit. */
  async stop(): Promise<void> {
    if (this.alive) this.child.kill('SIGTERM');
    await this.exited;
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}

/** A supertest agent logged in to a child host over HTTP. */
export async function loginChild(url: string, login = 'admin', password = ADMIN_PASSWORD): Promise<ReturnType<typeof request.agent>> {
  const agent = request.agent(url);
  const res = await agent.post('/wp-login.php').type('form').send({ log: login, pwd: password });
  if (res.status !== 303) throw new Error(`login failed: ${res.status} ${res.text.slice(0, 300)}`);
  return agent;
}

/**
 * Creates webhooks through a child host's REST API (`POST /wp-json/wu/v2/webhook`), as the admin
 * logged in with a cookie and a `wp_rest` nonce (from the profile screen). Resolves with their ids.
 * @throws Error naming the status and body of a create that was not answered 201
 */
export async function createWebhooksChild(url: string, hooks: Array<{ name: string; url: string; event: string }>): Promise<number[]> {
  const admin = await loginChild(url);
  const nonce = /name="wp_rest_nonce" value="([^"]+)"/.exec((await admin.get('/wp-admin/network/profile.php')).text)?.[1];
  if (!nonce) throw new Error('no wp_rest nonce on the profile screen');
  const ids: number[] = [];
  for (const h of hooks) {
    const res = await admin.post('/wp-json/wu/v2/webhook').set('X-WP-Nonce', nonce).send({ name: h.name, webhook_url: h.url, event: h.event, integration: 'manual' });
    if (res.status !== 201) throw new Error(`creating webhook ${h.name}: ${res.status} ${res.text.slice(0, 300)}`);
    ids.push(res.body.id as number);
  }
  return ids;
}

/** A temporary DATA_DIR, removed by the returned function. */
export function tempDataDir(prefix = 'hookpress-child-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A plugins folder holding the real plugins named in `real` and the fixture plugins named in
 * `fixtures`, as symbolic links (modules resolve their imports from where they really are).
 */
export function pluginsFolder(real: string[], fixtures: string[]): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-plugins-'));
  for (const slug of real) fs.symlinkSync(path.join(PROJECT_ROOT, 'plugins', slug), path.join(dir, slug), 'dir');
  for (const slug of fixtures) fs.symlinkSync(path.join(FIXTURE_PLUGINS, slug), path.join(dir, slug), 'dir');
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
