// Runs inside the page (read as text by controls.ts, so no build step touches it).
// Every control a user can operate, as "kind: label" keys.
(() => {
  const out = new Set();
  const text = (el) => (el.textContent || '').replace(/\s+/g, ' ').trim();
  const main = document.querySelector('main') || document.body;
  for (const el of main.querySelectorAll('button, input[type=submit]')) {
    const label = el instanceof HTMLInputElement ? el.value : text(el);
    const where = el.closest('.row-actions') ? 'row' : el.closest('dialog') ? 'dialog' : el.hasAttribute('data-copy-target') || el.hasAttribute('data-core-copy') ? 'copy' : 'button';
    out.add(`${where}: ${label}`);
  }
  for (const a of main.querySelectorAll('.row-actions a')) out.add(`row: ${text(a)}`);
  for (const sel of main.querySelectorAll('.bulkactions select')) {
    const where = sel.closest('.tablenav.bottom') ? 'bottom' : 'top';
    for (const o of sel.options) if (o.value) out.add(`bulk-${where}: ${text(o)}`);
  }
  if (main.querySelector('[data-select-all]')) out.add('select-all: Select all');
  for (const s of main.querySelectorAll('summary')) out.add(`summary: ${text(s)}`);
  for (const a of main.querySelectorAll('a.button.delete, .danger-zone a.button, a.delete-link')) out.add(`link: ${text(a)}`);
  for (const a of main.querySelectorAll('a')) if (text(a) === 'Cancel' && !a.closest('.row-actions')) out.add('link: Cancel');
  return [...out].sort();
})()
