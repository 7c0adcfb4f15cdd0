// Progressive enhancement for the webhooks screens. Every flow works without this file:
// the event preview is server-rendered, Send Test Event posts and redirects with a notice,
// and the secret is revealed by a <details> element.
(() => {
  // Live event preview on the Add New Webhook form.
  const select = document.getElementById('event');
  const dataBlock = document.getElementById('webhook-events-data');
  if (select && dataBlock) {
    const events = JSON.parse(dataBlock.textContent || '{}');
    const title = document.getElementById('event-preview-title');
    const desc = document.getElementById('event-preview-desc');
    const sample = document.getElementById('event-preview-sample');
    select.addEventListener('change', () => {
      const e = events[select.value];
      title.textContent = e ? e.name : 'Event details';
      desc.textContent = e ? e.desc : 'Choose an event to see what it means and what its payload looks like.';
      sample.textContent = e ? e.sample : '{}';
    });
  }

  // Copy buttons (hidden without JS, since they need it).
  for (const button of document.querySelectorAll('[data-copy-target]')) {
    button.hidden = false;
    button.addEventListener('click', async () => {
      const target = document.getElementById(button.dataset.copyTarget);
      const text = target.value !== undefined && target.tagName === 'INPUT' ? target.value : target.textContent;
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = 'Copied!';
      } catch {
        if (target.select) target.select();
        button.textContent = 'Press Ctrl+C to copy';
      }
      setTimeout(() => (button.textContent = 'Copy'), 2000);
    });
  }

  // Send Test Event: post in the background and show the result in a dialog.
  const dialog = document.getElementById('test-result-dialog');
  if (!dialog || typeof dialog.showModal !== 'function') return;
  const message = document.getElementById('test-result-message');
  const link = document.getElementById('test-result-link');
  let opener = null;
  dialog.addEventListener('close', () => opener && opener.focus());
  for (const form of document.querySelectorAll('form[data-send-test]')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      // A list row's button sits in the table and submits this form through its `form` attribute.
      const button = event.submitter || form.querySelector('button[type=submit]') || document.querySelector(`button[form="${form.id}"]`);
      opener = button;
      const label = button.textContent;
      button.disabled = true;
      button.textContent = 'Sending…';
      try {
        // getAttribute: a field named "action" shadows form.action.
        const res = await fetch(form.getAttribute('action'), {
          method: 'POST',
          headers: { Accept: 'application/json' },
          body: new URLSearchParams(new FormData(form)),
          credentials: 'same-origin',
        });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const result = await res.json();
        dialog.dataset.result = result.ok ? 'success' : 'failure';
        message.textContent = result.message;
        link.href = result.deliveryUrl;
      } catch (error) {
        dialog.dataset.result = 'failure';
        message.textContent = `The test could not be sent: ${error.message}. Reload the page and try again.`;
        link.href = '#';
      } finally {
        button.disabled = false;
        button.textContent = label;
      }
      // Disabling the button took focus away from it. Focus it again before opening the dialog:
      // the dialog remembers the element focused when it opened and restores focus to it as it
      // closes (Escape or Close), in the same step — no later event for a reader to race.
      button.focus();
      dialog.showModal();
      dialog.querySelector('form[method=dialog] button').focus();
    });
  }
})();
