import type { Request } from 'express';

/**
 * The largest form body the host parses (application/x-www-form-urlencoded), in bytes.
 * The admin's form-size script (public/js/form-size.js) is given the same number, so a
 * browser with JavaScript refuses to send a larger form before anything leaves the page.
 */
export const MAX_FORM_BYTES = 1024 * 1024;
/** The most fields a form may have (body-parser's parameterLimit): bounds the parsing work. */
export const MAX_FORM_FIELDS = 2000;

/** "1 MB" for the limit, as people read it. */
export function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MB` : `${Math.ceil(n / 1024)} KB`;
}

/**
 * What the 413 page says and where its Back link goes: the page the form came from (a
 * same-host Referer path; '' when unknown). The link uses the browser's history when it can
 * (data-history-back), which brings the form back with what was typed; without JavaScript
 * the page tells the user to use the browser's Back button, which does the same.
 */
export function formTooLargePage(req: Request, too: 'large' | 'many-fields' = 'large'): { title: string; message: string; backUrl: string; historyBack: boolean } {
  let backUrl = '';
  const referer = req.get('referer');
  if (referer) {
    try {
      const from = new URL(referer);
      if (from.host === req.get('host') || from.hostname === req.hostname) backUrl = from.pathname + from.search;
    } catch {
      // A malformed Referer: no link, the browser's Back button still works.
    }
  }
  return {
    title: 'The form was too large to send',
    message:
      (too === 'many-fields'
        ? `This server accepts at most ${MAX_FORM_FIELDS} fields per form, and this one had more. Nothing was saved. `
        : `This server accepts at most ${formatBytes(MAX_FORM_BYTES)} per form, and this one was larger. Nothing was saved. `) +
      'Use your browser’s Back button (or the link below) to return to the form: what you typed is still there. ' +
      (too === 'many-fields' ? 'Select fewer items (or send fewer rows) at once and send it again.' : 'Shorten the longest field — a pasted document or image, perhaps — and send it again.'),
    backUrl,
    historyBack: true,
  };
}
