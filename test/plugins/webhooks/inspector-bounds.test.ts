import { expect } from 'chai';
import type { HookpressApp } from '../../../core/app.js';
import { boundedPrettyJson, PRETTY_LIMITS } from '../../../plugins/webhooks/admin/format.js';
import { INSPECTOR_PER_PAGE } from '../../../plugins/webhooks/admin/inspector-screen.js';
import { loginAgent, nonceNear, type Agent } from '../../helpers/app.js';
import { makeWebhooksApp } from '../../helpers/webhooks.js';

const page = (params = '') => `/wp-admin/network/admin.php?page=webhooks-inspector${params}`;
// Issue #14's body: 24 KB of nested JSON. Pretty-printed whole it is ~36 MB of indentation.
const NESTED = '['.repeat(12_000) + ']'.repeat(12_000);
const NESTED_OBJECTS = '{"a":'.repeat(4_000) + '1' + '}'.repeat(4_000);

describe('plugins/webhooks request inspector: bounded work per request', function () {
  this.timeout(60_000);
  let hp: HookpressApp;
  let agent: Agent;
  let base: string;
  beforeEach(async () => {
    const w = await makeWebhooksApp({ allowNetworks: '', inspectorRatePerMinute: 1000 }, { port: 0 });
    hp = w.hp;
    base = await hp.start();
    agent = await loginAgent(hp);
  });
  afterEach(() => hp.close());

  it('a page of an inbox that received fifty 24 KB nested bodies is under 1 MB, paged, with each body raw as received', async () => {
    const screen = await agent.get(page());
    const created = await agent.post(page()).type('form').send({ _wpnonce: nonceNear(screen.text, 'value="create"'), action: 'create' });
    const token = new URL(created.headers.location!, base).searchParams.get('inbox')!;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${base}/webhook-inspector/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: i % 2 ? NESTED : NESTED_OBJECTS });
      expect(res.status).to.equal(200);
    }
    const first = await agent.get(page(`&inbox=${token}`));
    expect(first.status).to.equal(200);
    expect(first.text.length, 'the page is bounded').to.be.lessThan(1024 * 1024);
    expect(first.text.match(/<section class="attempt"/g)).to.have.length(INSPECTOR_PER_PAGE);
    expect(first.text).to.include('Page 1 of 5').and.include('Older ›');
    const last = await agent.get(page(`&inbox=${token}&paged=5`));
    expect(last.text).to.include('Page 5 of 5').and.include('‹ Newer');
    expect(last.text.length).to.be.lessThan(1024 * 1024);

    const id = /[?&]raw=(\d+)/.exec(first.text.replace(/&amp;/g, '&'))![1];
    const raw = await agent.get(page(`&inbox=${token}&raw=${id}`));
    expect(raw.status).to.equal(200);
    expect(raw.headers['content-type']).to.match(/^text\/plain/);
    expect([NESTED, NESTED_OBJECTS]).to.include(raw.text);
  });

  it('a body with NUL bytes is stored as received, on every database alike (bytes, not text)', async () => {
    const screen = await agent.get(page());
    const created = await agent.post(page()).type('form').send({ _wpnonce: nonceNear(screen.text, 'value="create"'), action: 'create' });
    const token = new URL(created.headers.location!, base).searchParams.get('inbox')!;
    const res = await fetch(`${base}/webhook-inspector/${token}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'a\u0000b' });
    expect(res.status).to.equal(200);
    const shown = await agent.get(page(`&inbox=${token}`));
    const id = /[?&]raw=(\d+)/.exec(shown.text.replace(/&amp;/g, '&'))![1];
    const raw = await agent.get(page(`&inbox=${token}&raw=${id}`));
    expect(raw.headers['content-type'], 'NUL is valid UTF-8: shown as text').to.match(/^text\/plain/);
    expect(raw.text).to.equal('a\u0000b');
  });

  it('pretty-printing is bounded by size and depth, and exact for ordinary bodies', () => {
    const ordinary = { a: [1, 2, { b: 'c' }], d: null, e: {} };
    expect(boundedPrettyJson(JSON.stringify(ordinary))).to.deep.equal({ text: JSON.stringify(ordinary, null, 2), truncated: false });
    for (const body of [NESTED, NESTED_OBJECTS, JSON.stringify({ big: 'x'.repeat(500_000) }), 'not json '.repeat(100_000)]) {
      const shown = boundedPrettyJson(body);
      expect(shown.text.length).to.be.at.most(PRETTY_LIMITS.maxChars);
    }
    const deep = boundedPrettyJson(JSON.stringify({ a: { b: { c: [1, 2] } } }), { maxChars: 1000, maxDepth: 2 });
    expect(deep.text, 'levels past maxDepth stay on one line').to.equal('{\n  "a": {\n    "b": {"c":[1,2]}\n  }\n}');
  });
});
