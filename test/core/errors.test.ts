import { expect } from 'chai';
import { allErrorCodes, defineErrorCodes, errorCodeInfo, HookpressError } from '../../core/errors.js';
import { CORE_ERROR_CODES } from '../../core/error-codes.js';
import { HttpError } from '../../core/http/errors.js';
import { UserError } from '../../core/users/users.js';
import { WebhookError, WebhookValidationError, WEBHOOK_ERROR_CODES } from '../../plugins/webhooks/errors.js';
import { MembershipError } from '../../plugins/memberships/errors.js';

describe('core/errors: one error model', () => {
  it('takes the status from the code list of its package unless the throw site gives one', () => {
    expect(new HookpressError('USER_LOGIN_EXISTS', 'taken').status).to.equal(409);
    expect(new HookpressError('USER_LOGIN_EXISTS', 'taken', { status: 422 }).status).to.equal(422);
    expect(new HookpressError('SOMETHING_UNLISTED', 'x').status).to.equal(400);
  });

  it('every package error is a HookpressError with code, message, status and field', () => {
    const errors = [
      new UserError('USER_INVALID_EMAIL', 'bad', 'email'),
      new WebhookError('WEBHOOK_NOT_FOUND', 'none', 'id'),
      new WebhookValidationError({ name: 'short', url: 'bad' }),
      new MembershipError({ id: 'gone' }, 'MEMBERSHIP_NOT_FOUND'),
      new HttpError(403, 'no'),
    ];
    for (const e of errors) expect(e).to.be.instanceOf(HookpressError);
    expect(errors.map((e) => [e.code, e.status, e.field])).to.deep.equal([
      ['USER_INVALID_EMAIL', 400, 'email'],
      ['WEBHOOK_NOT_FOUND', 404, 'id'],
      ['WEBHOOK_INVALID', 400, 'name'],
      ['MEMBERSHIP_NOT_FOUND', 404, 'id'],
      ['FORBIDDEN', 403, undefined],
    ]);
    expect(errors[2]!.fieldMessages()).to.deep.equal({ name: 'short', url: 'bad' });
    expect(errors[1]!.fieldMessages()).to.deep.equal({ id: 'none' });
    expect(errors[2]!.message).to.equal('name: short; url: bad');
  });

  it('lists every input at fault with its own code (errors / fieldErrors), the first one staying in field', () => {
    const several = new WebhookValidationError({ name: 'short', url: 'refused', event: 'unknown' }, { url: 'EBLOCKED', event: 'EVENT_UNKNOWN' });
    expect([several.code, several.field]).to.deep.equal(['WEBHOOK_INVALID', 'name']);
    expect(several.errors).to.deep.equal([
      { field: 'name', code: 'WEBHOOK_INVALID', message: 'short' },
      { field: 'url', code: 'EBLOCKED', message: 'refused' },
      { field: 'event', code: 'EVENT_UNKNOWN', message: 'unknown' },
    ]);
    expect(JSON.parse(JSON.stringify(several)).errors).to.have.length(3);
    expect(new WebhookError('WEBHOOK_NOT_FOUND', 'none', 'id').fieldErrors()).to.deep.equal([{ field: 'id', code: 'WEBHOOK_NOT_FOUND', message: 'none' }]);
    expect(new HttpError(403, 'no').fieldErrors()).to.deep.equal([]);
  });

  it('lists every code once, with its owner, and refuses a code defined by two packages', () => {
    expect(errorCodeInfo('WEBHOOK_NOT_FOUND')).to.include({ owner: 'webhooks', status: 404 });
    expect(Object.keys(CORE_ERROR_CODES)).to.include('USER_LOGIN_EXISTS');
    expect(Object.keys(WEBHOOK_ERROR_CODES)).to.include('EVENT_UNKNOWN');
    const codes = allErrorCodes().map((c) => c.code);
    expect(new Set(codes).size).to.equal(codes.length);
    expect(() => defineErrorCodes('another-plugin', { WEBHOOK_NOT_FOUND: { status: 404, description: 'x' } })).to.throw(/already defined by webhooks/);
  });
});
