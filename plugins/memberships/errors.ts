import { defineErrorCodes, HookpressError, joinFieldMessages } from '../../core/plugin-sdk.js';

/** Every error code the memberships plugin throws. */
export const MEMBERSHIP_ERROR_CODES = defineErrorCodes('memberships', {
  MEMBERSHIP_INVALID: { status: 400, description: 'A product, customer, membership, payment or domain input is invalid; `fields` says which.' },
  MEMBERSHIP_NOT_FOUND: { status: 404, description: 'There is no such customer, membership or payment.' },
  MEMBERSHIP_UNKNOWN_ACTION: { status: 400, description: 'An admin row action that does not exist.' },
  MEMBERSHIP_CUSTOMER_ORPHANED: { status: 409, description: 'The customer’s user account was deleted, so nothing can be sent to them.' },
});

export type MembershipErrorCode = keyof typeof MEMBERSHIP_ERROR_CODES;

/** Invalid memberships input: one message per field at fault (`fields`). */
export class MembershipError extends HookpressError<MembershipErrorCode> {
  constructor(fields: Record<string, string>, code: MembershipErrorCode = 'MEMBERSHIP_INVALID') {
    super(code, joinFieldMessages(fields), { fields });
    this.name = 'MembershipError';
  }
}
