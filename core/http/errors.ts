import { HookpressError } from '../errors.js';
import type { CoreErrorCode } from '../error-codes.js';

const CODE_BY_STATUS: Record<number, CoreErrorCode> = { 400: 'BAD_REQUEST', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE' };

/**
 * An error of an admin page, with a message fit to show a user and the page title.
 * Its code follows its status (BAD_REQUEST, FORBIDDEN, NOT_FOUND, PAYLOAD_TOO_LARGE, else INTERNAL).
 */
export class HttpError extends HookpressError<CoreErrorCode> {
  /** A way back the error page offers (e.g. "Please try again." to the form's screen). */
  back?: { url: string; label: string };

  constructor(
    status: number,
    message: string,
    readonly title = status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Error',
  ) {
    super(CODE_BY_STATUS[status] ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL'), message, { status });
    this.name = 'HttpError';
  }
}

export const EXPIRED_LINK = 'The link you followed has expired.';
export const NOT_ALLOWED = 'Sorry, you are not allowed to access this page.';
