import { defineErrorCodes, HookpressError } from '../errors.js';
import { restDetails, type RestParamDetail } from './params.js';

/**
 * The REST layer's own codes: WordPress's (wp-includes/rest-api/class-wp-rest-server.php,
 * class-wp-rest-request.php, class-wp-application-passwords.php) plus Ultimate Multisite's.
 */
export const REST_ERROR_CODES = defineErrorCodes('rest', {
  rest_no_route: { status: 404, description: 'No route matches the URL and method.' },
  rest_invalid_param: { status: 400, description: 'One or more arguments are invalid; `data.params` has one message per argument.' },
  rest_missing_callback_param: { status: 400, description: 'Required arguments are missing; `data.params` lists them.' },
  rest_invalid_json: { status: 400, description: 'The body is not valid JSON.' },
  rest_payload_too_large: { status: 413, description: 'The body is larger than the limit (1 MB).' },
  rest_forbidden: { status: 403, description: 'The caller may not use this route (not authenticated, or without the capability).' },
  rest_not_logged_in: { status: 401, description: 'The route needs credentials and none were sent.' },
  rest_cookie_invalid_nonce: { status: 403, description: 'A logged-in cookie was sent with a missing or expired X-WP-Nonce (action wp_rest).' },
  rest_too_many_attempts: { status: 429, description: 'Too many failed authentications from this address; wait and retry.' },
  rest_api_disabled: { status: 403, description: 'The network API key was used while the API is disabled (Settings → API & Webhooks).' },
  incorrect_password: { status: 401, description: 'The API key and secret, or the username and application password, are wrong.' },
  rest_user_invalid_id: { status: 404, description: 'There is no user with that id.' },
  rest_application_password_not_found: { status: 404, description: 'There is no application password with that uuid.' },
  application_password_invalid: { status: 400, description: 'An application password needs a name of 1–100 characters.' },
  rest_internal_error: { status: 500, description: 'An unexpected failure; it is logged.' },
});

export type RestErrorCode = keyof typeof REST_ERROR_CODES;

/** WordPress's REST error body: `{ code, message, data: { status, params?, details? } }`. */
export interface RestErrorBody {
  code: string;
  message: string;
  data: { status: number; params?: Record<string, string> | string[]; details?: Record<string, RestParamDetail> };
}

/** An error of the REST layer that carries WordPress's `data.params`. */
export class RestError extends HookpressError {
  constructor(
    code: RestErrorCode | string,
    message: string,
    readonly params?: Record<string, string> | string[],
    status?: number,
    /** rest_invalid_param's `data.details`: per argument, WordPress's code and message. */
    readonly details?: RestErrorBody['data']['details'],
  ) {
    super(code, message, { status, fields: params && !Array.isArray(params) ? params : undefined });
    this.name = 'RestError';
  }
}

/**
 * Maps any error to WordPress's REST error body. A HookpressError keeps its code (lower-cased
 * to WordPress's style, e.g. WEBHOOK_NOT_FOUND → webhook_not_found unless `rename` maps it) and
 * status; one with per-field messages becomes `rest_invalid_param` with `data.params` and
 * `data.details` (each field's own code, lower-cased), as WordPress reports argument errors. Anything else is a 500 `rest_internal_error`.
 */
export function toRestError(error: unknown, rename: (code: string) => string | undefined = () => undefined): RestErrorBody {
  if (error instanceof RestError) {
    return { code: error.code, message: error.message, data: { status: error.status, ...(error.params ? { params: error.params } : {}), ...(error.details ? { details: error.details } : {}) } };
  }
  if (error instanceof HookpressError) {
    const fields = error.fieldMessages();
    const renamed = rename(error.code);
    if (error.status === 400 && Object.keys(fields).length && !renamed) {
      return {
        code: 'rest_invalid_param',
        message: `Invalid parameter(s): ${Object.keys(fields).join(', ')}`,
        data: { status: 400, params: fields, details: restDetails(error.fieldErrors()) },
      };
    }
    return { code: renamed ?? error.code.toLowerCase(), message: error.message, data: { status: error.status, ...(Object.keys(fields).length ? { params: fields } : {}) } };
  }
  return { code: 'rest_internal_error', message: 'The server could not complete the request. The error has been logged.', data: { status: 500 } };
}
