/** An error that maps to an HTTP answer with a message fit to show a user. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly title = status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Error',
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const EXPIRED_LINK = 'The link you followed has expired.';
export const NOT_ALLOWED = 'Sorry, you are not allowed to access this page.';
