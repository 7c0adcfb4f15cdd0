/**
 * Hookpress's one error model. Every error a caller is meant to handle is a HookpressError
 * (or a subclass): a stable `code` for programs, a `message` for people, the HTTP `status` it
 * maps to, and the input at fault (`field`, or `fields` for a form with several). The REST
 * layer, the admin screens and the CLI all render errors from these properties alone.
 *
 * Each package lists its codes once, with `defineErrorCodes(owner, { CODE: { status, description } })`
 * (core: core/error-codes.ts; a plugin: its own errors.ts). A code's status is taken from that
 * list unless the throw site gives one.
 */

/** What a package says about one of its codes. */
export interface ErrorCodeInfo {
  /** The HTTP status the error maps to (400 bad input, 403, 404, 409, 413, 503…). */
  status: number;
  /** One line for the documentation (README, OpenAPI). */
  description: string;
}

export type ErrorCodeList = Record<string, ErrorCodeInfo>;

const registry = new Map<string, ErrorCodeInfo & { owner: string }>();

/**
 * Records the codes of one package (core or a plugin slug) and returns them unchanged, typed,
 * so `keyof typeof LIST` is the package's code union. Redefining a code under another owner
 * throws, so two packages cannot silently share one.
 */
export function defineErrorCodes<const T extends ErrorCodeList>(owner: string, codes: T): T {
  for (const [code, info] of Object.entries(codes)) {
    const existing = registry.get(code);
    if (existing && existing.owner !== owner) {
      throw new Error(`Error code ${code} is already defined by ${existing.owner}; ${owner} must use its own.`);
    }
    registry.set(code, { ...info, owner });
  }
  return codes;
}

/** The registered description of a code, or undefined for a code no package listed. */
export function errorCodeInfo(code: string): (ErrorCodeInfo & { owner: string }) | undefined {
  return registry.get(code);
}

/** Every registered code, for documentation and the OpenAPI document. */
export function allErrorCodes(): Array<ErrorCodeInfo & { owner: string; code: string }> {
  return [...registry].map(([code, info]) => ({ code, ...info }));
}

export interface HookpressErrorOptions {
  /** Overrides the status registered for the code. */
  status?: number;
  /** The input at fault (a form field or argument name). */
  field?: string;
  /** Several inputs at fault, one message each (form validation). */
  fields?: Record<string, string>;
  /** The code of each input's own error, where it differs from the error's `code` (e.g. `url: 'EBLOCKED'`). */
  fieldCodes?: Record<string, string>;
  /**
   * Every problem, when an input has several (one entry per bad custom header, say): `fields`
   * then holds each input's messages joined. Without it, `errors` has one entry per field.
   */
  errors?: readonly FieldError[];
  cause?: unknown;
}

/** One input at fault: its name, the code of its own error, and the message for people. */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** The base of every typed Hookpress error. */
export class HookpressError<C extends string = string> extends Error {
  readonly code: C;
  readonly status: number;
  readonly field?: string;
  readonly fields?: Record<string, string>;
  /**
   * Every input at fault, in the order found (the first is `field`), each with its own code —
   * `code` unless `fieldCodes` names another; an input with several problems has an entry for
   * each. Set whenever `fields` is.
   */
  readonly errors?: readonly FieldError[];

  constructor(code: C, message: string, options: HookpressErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HookpressError';
    this.code = code;
    this.status = options.status ?? registry.get(code)?.status ?? 400;
    const firstField = options.fields ? Object.keys(options.fields)[0] : undefined;
    if (options.field ?? firstField) this.field = options.field ?? firstField;
    if (options.fields) {
      this.fields = options.fields;
      this.errors = options.errors ? [...options.errors] : Object.entries(options.fields).map(([field, message]) => ({ field, code: options.fieldCodes?.[field] ?? code, message }));
    }
  }

  /** Every input at fault with its own code: `errors`, else the one `field` with this error's code, else []. */
  fieldErrors(): FieldError[] {
    if (this.errors) return [...this.errors];
    return this.field ? [{ field: this.field, code: this.code, message: this.message }] : [];
  }

  /** Messages per input: `fields`, else `{ [field]: message }`, else {}. */
  fieldMessages(): Record<string, string> {
    if (this.fields) return this.fields;
    return this.field ? { [this.field]: this.message } : {};
  }

  toJSON(): { code: C; message: string; status: number; field?: string; fields?: Record<string, string>; errors?: readonly FieldError[] } {
    return { code: this.code, message: this.message, status: this.status, field: this.field, fields: this.fields, errors: this.errors };
  }
}

/** Builds "field: message; field: message" from per-field messages. */
export function joinFieldMessages(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
}

export function isHookpressError(error: unknown): error is HookpressError {
  return error instanceof HookpressError;
}

/**
 * Throws the validation errors of a form at once: nothing when `errors` is empty; the
 * error `make` builds from the first one's code, message and field, plus every field's
 * message in `fields` when there are several ([code, message, field] each).
 */
export function throwAll<C extends string>(
  errors: ReadonlyArray<readonly [C, string, string]>,
  make: (code: C, message: string, field: string, fields?: Record<string, string>) => Error,
): void {
  if (errors.length === 0) return;
  const [code, message, field] = errors[0]!;
  if (errors.length === 1) throw make(code, message, field);
  const fields = Object.fromEntries(errors.map(([, m, f]) => [f, m]));
  throw make(code, joinFieldMessages(fields), field, fields);
}
