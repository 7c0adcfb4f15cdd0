import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/**
 * The screen a URL shows, as the control table names it: `admin.php?page=<slug>` → the slug,
 * other screens → the file name; a sub-view (`action=confirm-delete`, `confirm=cancel`,
 * `delivery=`, `inbox=`) is appended after a colon.
 */
export function screenKey(href: string): string {
  const u = new URL(href, 'http://x');
  const file = u.pathname.replace(/^\/wp-admin\/network\//, '') || 'index.php';
  const base = file === 'admin.php' ? (u.searchParams.get('page') ?? 'admin.php') : file;
  const action = u.searchParams.get('action');
  if (action && action !== '-1') return `${base}:${action}`;
  const confirm = u.searchParams.get('confirm');
  if (confirm) return `${base}:confirm-${confirm}`;
  if (u.searchParams.has('delivery')) return `${base}:delivery`;
  if (u.searchParams.has('inbox')) return `${base}:inbox`;
  return base;
}

const ENUMERATE = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'enumerate-controls.js'), 'utf8');

/**
 * Every control a user can operate on the page, as `kind: label` keys: buttons and submit
 * inputs (by visible text; `row:` in row actions, `dialog:` in dialogs, `copy:` Copy buttons),
 * row-action links, bulk actions (one key per option, per selector), Select all, <summary>
 * disclosures and button-styled destructive links. Navigation links are not controls here.
 * Works with JavaScript off too (page.evaluate runs in Playwright's own world).
 */
export async function enumerateControls(page: Page): Promise<string[]> {
  return page.evaluate(ENUMERATE) as Promise<string[]>;
}
