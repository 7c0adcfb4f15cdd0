// Progressive enhancement only: every flow works without this file.
(() => {
  // "Select all" checkbox of list tables.
  for (const all of document.querySelectorAll('[data-select-all]')) {
    // Hidden in the markup: without this script it would do nothing.
    all.hidden = false;
    if (all.labels) for (const label of all.labels) label.hidden = false;
    all.addEventListener('change', () => {
      const table = all.closest('table');
      for (const cb of table.querySelectorAll('tbody input[type=checkbox]')) cb.checked = all.checked;
    });
  }

  // Copy buttons of core screens (hidden in the markup: they need this script).
  for (const button of document.querySelectorAll('[data-core-copy]')) {
    button.hidden = false;
    button.addEventListener('click', async () => {
      const target = document.getElementById(button.dataset.coreCopy);
      try {
        await navigator.clipboard.writeText(target.value);
        button.textContent = 'Copied!';
      } catch {
        target.select();
        button.textContent = 'Press Ctrl+C to copy';
      }
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    });
  }

  // After a failed submit, put the cursor in the first field that needs fixing (its error is
  // read out through aria-describedby), as WordPress's own forms do for the first invalid field.
  const invalid = document.querySelector('form [aria-invalid="true"]');
  if (invalid && !document.querySelector('[autofocus]')) invalid.focus();
})();
