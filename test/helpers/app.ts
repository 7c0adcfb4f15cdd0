import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { createApp, type HookpressApp } from '../../core/app.js';
import type { AppConfig } from '../../core/config.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';
export const FIXTURE_PLUGINS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plugins');

/** A fresh, isolated host: in-memory SQLite, silent logs, cheap password hashing. */
export async function makeApp(overrides: Partial<AppConfig> = {}): Promise<HookpressApp> {
  return createApp({
    dataDir: ':memory:',
    logLevel: 'silent',
    passwordCost: 1024,
    adminPassword: ADMIN_PASSWORD,
    pluginsDir: FIXTURE_PLUGINS,
    pluginSlugs: [],
    runScheduler: false,
    ...overrides,
  });
}

export type Agent = ReturnType<typeof request.agent>;

/** Logs in through /wp-login.php and returns the cookie-keeping agent. */
export async function loginAgent(hp: HookpressApp, login = 'admin', password = ADMIN_PASSWORD): Promise<Agent> {
  const agent = request.agent(hp.app);
  const res = await agent.post('/wp-login.php').type('form').send({ log: login, pwd: password });
  if (res.status !== 303) throw new Error(`login as ${login} failed: ${res.status} ${res.text.slice(0, 200)}`);
  return agent;
}

/** The value of the first `_wpnonce` field (or another name) in a page. */
export function nonceIn(html: string, name = '_wpnonce'): string {
  const m = new RegExp(`name="${name}" value="([^"]+)"`).exec(html);
  if (!m) throw new Error(`no ${name} field in page`);
  return m[1]!;
}

/** Nonce from the form whose hidden action (or other marker) matches. */
export function nonceNear(html: string, marker: string): string {
  const at = html.indexOf(marker);
  if (at === -1) throw new Error(`marker ${marker} not in page`);
  const form = html.lastIndexOf('<form', at);
  return nonceIn(html.slice(form, html.indexOf('</form>', at)));
}
