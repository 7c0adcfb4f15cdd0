import { expect } from 'chai';
import { coreMigrations } from '../../../core/db/core-schema.js';
import { migrateSchema } from '../../../core/db/schema-migrations.js';
import { sharedRateLimits } from '../../../core/auth/shared-limits.js';
import { forEachBackend } from '../../helpers/backends.js';

const T0 = 1_795_824_000_000;

forEachBackend('shared rate limits for plugins', (backend) => {
  it('two processes count the hits of one key together, per limiter name, in fixed windows', async () => {
    let now = T0;
    const first = await backend.open();
    await migrateSchema(first.layer, 'core', coreMigrations);
    const second = await backend.openAgain();
    const a = sharedRateLimits(first.layer.db, () => now);
    const b = sharedRateLimits(second.layer.db, () => now);
    expect(await a.hit('webhook-inspector', 'inbox-1', 60_000)).to.deep.equal({ totalHits: 1, resetTime: new Date(T0 + 60_000) });
    expect((await b.hit('webhook-inspector', 'inbox-1', 60_000)).totalHits).to.equal(2);
    expect((await a.hit('webhook-inspector', 'inbox-1', 60_000)).totalHits).to.equal(3);
    expect((await b.hit('other-limiter', 'inbox-1', 60_000)).totalHits, 'another limiter counts apart').to.equal(1);
    expect((await b.hit('webhook-inspector', 'inbox-2', 60_000)).totalHits, 'another key counts apart').to.equal(1);
    now += 60_000;
    expect((await b.hit('webhook-inspector', 'inbox-1', 60_000)).totalHits, 'a new window').to.equal(1);
    let refused: unknown;
    await a.hit('no spaces', 'k', 1000).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(TypeError);
  });
});
