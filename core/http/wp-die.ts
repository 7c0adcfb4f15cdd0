import { HttpError } from './errors.js';

/** The error `wp_die` throws: the host renders its message on WordPress's standalone error page. */
export class WPDieError extends HttpError {
  constructor(status: number, message: string, title: string) {
    super(status, message, title);
    this.name = 'WPDieError';
  }
}

/**
 * Stops the request with an error page, like WordPress's `wp_die( $message, $title, $args )`:
 * `wp_die('Nope.', 403)`, `wp_die('Nope.', 'Forbidden', { response: 403 })`. The status defaults
 * to 500, as in WordPress; the message is shown escaped. It throws (never returns), so it
 * works from page callbacks, `load-{page_hook}` actions and public routes alike.
 * Deviation: it throws instead of exiting the process, so a caller's `catch` can intercept it.
 */
export function wp_die(message = '', title?: string | number, args?: number | { response?: number }): never {
  let status = 500;
  let heading = '';
  if (typeof title === 'number') status = title;
  else if (typeof title === 'string') heading = title;
  if (typeof args === 'number') status = args;
  else if (args && typeof args.response === 'number') status = args.response;
  if (!Number.isInteger(status) || status < 400 || status > 599) status = 500;
  throw new WPDieError(status, message || 'Something went wrong.', heading || (status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : 'Error'));
}
