import request from 'supertest';
import type { HookpressApp } from '../app.js';

/** The super admin's password in hosts built by the test kit (and test/helpers/app.ts). */
export const ADMIN_PASSWORD = 'correct horse battery staple';

/** A supertest agent that keeps the login cookie. */
export type Agent = ReturnType<typeof request.agent>;

/** The value of the first `_wpnonce` field (or another name) in a page; throws when there is none. */
export function nonceIn(html: string, name = '_wpnonce'): string {
  const m = new RegExp(`name="${name}" value="([^"]+)"`).exec(html);
  if (!m) throw new Error(`no ${name} field in page`);
  return m[1]!;
}

/** The nonce of the form that contains `marker` (e.g. 'value="delete"' or a button label); throws when absent. */
export function nonceNear(html: string, marker: string): string {
  const at = html.indexOf(marker);
  if (at === -1) throw new Error(`marker ${marker} not in page`);
  const form = html.lastIndexOf('<form', at);
  return nonceIn(html.slice(form, html.indexOf('</form>', at)));
}

/** Logs in through /wp-login.php (as a browser would) and returns the cookie-keeping agent. */
export async function loginAgent(hp: HookpressApp, login = 'admin', password = ADMIN_PASSWORD): Promise<Agent> {
  const agent = request.agent(hp.app);
  const res = await agent.post('/wp-login.php').type('form').send({ log: login, pwd: password });
  if (res.status !== 303) throw new Error(`login as ${login} failed: ${res.status} ${res.text.slice(0, 200)}`);
  return agent;
}

/** A logged-in admin with the form helpers a plugin's tests need. */
export interface AdminAgent {
  /** The supertest agent itself: `agent.get(url)`, `agent.post(url).type('form').send(fields)`. */
  readonly agent: Agent;
  /** GETs a page; fails the test with the status and the start of the body unless it is 200. */
  page(url: string): Promise<request.Response>;
  /**
   * Submits a form of a page as a browser would: GETs `pageUrl`, takes the `_wpnonce` of the
   * form containing `marker` (default: the first form with a nonce), and POSTs `fields` with it
   * to `action` (default: `pageUrl`). Returns the response (303 + `location` on success).
   */
  submit(pageUrl: string, fields: Record<string, string | number | string[]>, opts?: { marker?: string; action?: string }): Promise<request.Response>;
  /** Follows a redirect response (e.g. the one `submit` returned) and returns the page. */
  follow(res: request.Response): Promise<request.Response>;
}

export function adminAgent(agent: Agent): AdminAgent {
  const self: AdminAgent = {
    agent,
    async page(url) {
      const res = await agent.get(url);
      if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${res.text.slice(0, 300)}`);
      return res;
    },
    async submit(pageUrl, fields, opts = {}) {
      const page = await self.page(pageUrl);
      const nonce = opts.marker ? nonceNear(page.text, opts.marker) : nonceIn(page.text);
      return agent.post(opts.action ?? pageUrl).type('form').send({ _wpnonce: nonce, ...fields });
    },
    async follow(res) {
      const to = res.headers.location;
      if (!to) throw new Error(`not a redirect: ${res.status}`);
      return agent.get(to);
    },
  };
  return self;
}
