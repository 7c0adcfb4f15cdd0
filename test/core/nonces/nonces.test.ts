import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Nonces, NONCE_LIFE_MS } from '../../../core/nonces/nonces.js';

describe('core/nonces', () => {
  const secret = randomBytes(32);
  let now = 1_800_000_000_000;
  const nonces = new Nonces(secret, () => now);

  it('verifies as 1 in the same 12-hour tick, 2 in the next, false after', () => {
    now = Math.ceil(1_800_000_000_000 / (NONCE_LIFE_MS / 2)) * (NONCE_LIFE_MS / 2) - 1000;
    const nonce = nonces.create('save', 1, 'tok');
    expect(nonce).to.match(/^[0-9a-f]{10}$/);
    expect(nonces.verify(nonce, 'save', 1, 'tok')).to.equal(1);
    now += 2000; // next tick
    expect(nonces.verify(nonce, 'save', 1, 'tok')).to.equal(2);
    now += NONCE_LIFE_MS / 2; // two ticks later
    expect(nonces.verify(nonce, 'save', 1, 'tok')).to.equal(false);
  });

  it('is bound to the action, the user and the session token', () => {
    const nonce = nonces.create('save', 1, 'tok');
    expect(nonces.verify(nonce, 'delete', 1, 'tok')).to.equal(false);
    expect(nonces.verify(nonce, 'save', 2, 'tok')).to.equal(false);
    expect(nonces.verify(nonce, 'save', 1, 'other-session')).to.equal(false);
    expect(new Nonces(randomBytes(32), () => now).verify(nonce, 'save', 1, 'tok')).to.equal(false);
  });

  it('rejects missing and malformed nonces', () => {
    for (const bad of [undefined, null, '', 'short', 12345, ['a'], 'x'.repeat(10)]) {
      expect(nonces.verify(bad, 'save', 1, 'tok')).to.equal(false);
    }
  });
});
