// Progressive enhancement only: every flow works without this file.
(() => {
  // "Select all" checkbox of list tables.
  for (const all of document.querySelectorAll('[data-select-all]')) {
    all.addEventListener('change', () => {
      const table = all.closest('table');
      for (const cb of table.querySelectorAll('tbody input[type=checkbox]')) cb.checked = all.checked;
    });
  }
})();
