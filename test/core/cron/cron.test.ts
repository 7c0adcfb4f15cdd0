import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HookpressApp } from '../../../core/app.js';
import { CronError, nextRun } from '../../../core/cron/cron.js';
import { loginAgent, makeApp, nonceNear } from '../../helpers/app.js';
import { FakeClock } from '../../helpers/webhooks.js';

const DAY = 86_400;

describe('core/cron scheduled events', () => {
  let hp: HookpressApp;
  let clock: FakeClock;
  const now = () => Math.floor(clock.now / 1000);
  beforeEach(async () => {
    clock = new FakeClock();
    hp = await makeApp({ clock: clock.fn });
  });
  afterEach(() => hp.close());

  it('runs a single event once when due, with its args, then forgets it', async () => {
    const seen: unknown[][] = [];
    hp.hooks.add_action('send_reminder', (...args: unknown[]) => void seen.push(args), 10, 2);
    expect(hp.host.cron.wp_schedule_single_event(now() + 60, 'send_reminder', [42, 'soon'])).to.equal(true);
    expect(hp.host.cron.wp_next_scheduled('send_reminder', [42, 'soon'])).to.equal(now() + 60);
    expect(hp.host.cron.wp_next_scheduled('send_reminder', [43, 'soon'])).to.equal(false);
    expect(await hp.host.cron.runDue()).to.equal(0);
    clock.advance(60_000);
    expect(await hp.host.cron.runDue()).to.equal(1);
    expect(seen).to.deep.equal([[42, 'soon']]);
    expect(await hp.host.cron.runDue()).to.equal(0);
    expect(hp.host.cron.wp_next_scheduled('send_reminder', [42, 'soon'])).to.equal(false);
  });

  it('refuses the same single event twice within 10 minutes, as WordPress does', () => {
    expect(hp.host.cron.wp_schedule_single_event(now() + 100, 'x')).to.equal(true);
    expect(hp.host.cron.wp_schedule_single_event(now() + 300, 'x')).to.equal(false);
    expect(hp.host.cron.wp_schedule_single_event(now() + 1000, 'x')).to.equal(true);
  });

  it('fires a recurring event once after downtime and reschedules it on its interval', async () => {
    let runs = 0;
    hp.hooks.add_action('nightly', () => void runs++);
    const start = now();
    hp.host.cron.wp_schedule_event(start + 100, 'daily', 'nightly');
    expect(hp.host.cron.wp_schedule_event(start, 'daily', 'nightly'), 'one recurring event per hook and args').to.equal(false);
    clock.advance((3 * DAY + 500) * 1000); // the host was "down" for three days
    expect(await hp.host.cron.runDue()).to.equal(1);
    expect(runs).to.equal(1);
    expect(hp.host.cron.wp_next_scheduled('nightly')).to.equal(start + 100 + 4 * DAY);
  });

  it('the running scheduler wakes for an event scheduled while it waits (on PostgreSQL once the write has landed)', async function () {
    this.timeout(5000);
    const fired = new Promise<void>((resolve) => hp.hooks.add_action('wake_me', () => resolve()));
    hp.host.cron.start();
    try {
      // Nothing else is scheduled: only the wake-up this schedules can run it (the clock stands still).
      hp.host.cron.wp_schedule_single_event(now(), 'wake_me');
      await fired;
    } finally {
      hp.host.cron.stop();
    }
  });

  it('computes the next run like wp_reschedule_event', () => {
    expect(nextRun(1000, 100, 900)).to.equal(1000);
    expect(nextRun(1000, 100, 1250)).to.equal(1300);
  });

  it('offers hourly, twicedaily, daily, weekly and what cron_schedules adds', async () => {
    hp.hooks.add_filter('cron_schedules', (s: Record<string, unknown>) => ({ ...s, every_minute: { interval: 60, display: 'Every Minute' } }));
    expect(Object.keys(hp.host.cron.wp_get_schedules())).to.deep.equal(['hourly', 'twicedaily', 'daily', 'weekly', 'every_minute']);
    let runs = 0;
    hp.hooks.add_action('tick', () => void runs++);
    hp.host.cron.wp_schedule_event(now(), 'every_minute', 'tick');
    await hp.host.cron.runDue();
    clock.advance(60_000);
    await hp.host.cron.runDue();
    expect(runs).to.equal(2);
  });

  it('unschedules one event or clears a hook', () => {
    hp.host.cron.wp_schedule_single_event(now() + 10, 'a', [1]);
    hp.host.cron.wp_schedule_single_event(now() + 10, 'a', [2]);
    expect(hp.host.cron.wp_unschedule_event(now() + 10, 'a', [1])).to.equal(true);
    expect(hp.host.cron.wp_next_scheduled('a', [1])).to.equal(false);
    expect(hp.host.cron.wp_clear_scheduled_hook('a')).to.equal(1);
    expect(hp.host.cron.list()).to.deep.equal([]);
  });

  it('rejects bad input with typed errors', () => {
    expect(() => hp.host.cron.wp_schedule_event(now(), 'fortnightly', 'x')).to.throw(CronError, /not a cron schedule/);
    expect(() => hp.host.cron.wp_schedule_single_event(-1, 'x')).to.throw(CronError);
    expect(() => hp.host.cron.wp_schedule_single_event(now(), '')).to.throw(CronError);
    expect(() => hp.host.cron.wp_schedule_single_event(now(), 'x', 'nope' as never)).to.throw(CronError);
  });

  it('keeps scheduled events across restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookpress-cron-'));
    try {
      const a = await makeApp({ dataDir: dir, clock: clock.fn });
      a.host.cron.wp_schedule_event(now() + 50, 'hourly', 'persisted_hook', ['x']);
      await a.close();
      const b = await makeApp({ dataDir: dir, clock: clock.fn });
      expect(b.host.cron.wp_next_scheduled('persisted_hook', ['x'])).to.equal(now() + 50);
      await b.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Tools → Scheduled Events lists events and runs one now, with a nonce', async () => {
    let runs = 0;
    hp.hooks.add_action('manual_job', () => void runs++);
    hp.host.cron.wp_schedule_event(now() + 3600, 'daily', 'manual_job');
    const agent = await loginAgent(hp);
    const page = await agent.get('/wp-admin/network/cron.php');
    expect(page.text).to.include('<code>manual_job</code>').and.include('Once Daily').and.include('Run now');
    const id = hp.host.cron.list()[0]!.id;
    expect((await agent.post('/wp-admin/network/cron.php').type('form').send({ event_id: String(id) })).status).to.equal(403);
    await agent.post('/wp-admin/network/cron.php').type('form').send({ _wpnonce: nonceNear(page.text, `value="${id}"`), event_id: String(id) });
    expect(runs).to.equal(1);
    expect(hp.host.cron.wp_next_scheduled('manual_job'), 'a recurring event keeps its schedule').to.equal(now() + 3600);
  });
});
