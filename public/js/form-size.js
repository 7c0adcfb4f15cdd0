// Progressive enhancement: a form larger than the server accepts is not sent at all, so
// nothing typed is lost and the user is told at once. Without this file the server answers
// 413 with a page that explains the limit and leads back to the form.
(() => {
  const script = document.currentScript;
  const max = Number(new URL(script ? script.src : location.href).searchParams.get('max')) || 0;

  // "Back to the form" on the 413 page: history keeps what was typed, a plain link would not.
  for (const link of document.querySelectorAll('a[data-history-back]')) {
    link.addEventListener('click', (event) => {
      if (history.length > 1) {
        event.preventDefault();
        history.back();
      }
    });
  }
  if (!max) return;

  const mb = (n) => `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  /** The size of the body the browser would send (application/x-www-form-urlencoded). */
  const encodedSize = (form, submitter) => {
    const data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    const pairs = [];
    for (const [k, v] of data) pairs.push([k, typeof v === 'string' ? v : v.name]);
    return new TextEncoder().encode(new URLSearchParams(pairs).toString()).length;
  };

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return;
    const size = encodedSize(form, event.submitter);
    let note = form.querySelector('.form-size-error');
    if (size <= max) {
      note?.remove();
      return;
    }
    event.preventDefault();
    if (!note) {
      note = document.createElement('div');
      note.className = 'notice notice-error form-size-error';
      note.setAttribute('role', 'alert');
      form.prepend(note);
    }
    note.innerHTML = '';
    const p = document.createElement('p');
    p.textContent = `This form is too large to send: ${mb(size)}, and the server accepts at most ${mb(max)}. Nothing was sent and nothing you typed is lost — shorten the longest field, then try again.`;
    note.append(p);
    note.scrollIntoView({ block: 'nearest' });
  });
})();
