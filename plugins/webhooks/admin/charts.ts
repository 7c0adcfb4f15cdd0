import type { AdminUi, SafeHtml } from '../../../core/plugin-sdk.js';
import type { Bucket } from '../data/health-store.js';

const total = (b: Bucket) => b.success + b.retrying + b.failed;

/** One sentence that says what a chart shows, for screen readers and as the visible caption. */
export function successSummary(buckets: Bucket[], period: string): string {
  const all = buckets.reduce((n, b) => n + total(b), 0);
  if (all === 0) return `No attempts in the ${period}.`;
  const ok = buckets.reduce((n, b) => n + b.success, 0);
  return `${period[0]!.toUpperCase()}${period.slice(1)}: ${Math.round((100 * ok) / all)}% success (${ok} of ${all} attempts).`;
}

/**
 * The list screen's sparkline: one bar per hour, its height the hour's success rate, red when
 * below 100 %, absent when there were no attempts. Server-rendered SVG with a text alternative.
 */
export function sparkline(ui: AdminUi, buckets: Bucket[], period = 'last 24 hours'): SafeHtml {
  const { html, raw } = ui;
  const w = 4;
  const h = 20;
  const bars = buckets
    .map((b, i) => {
      const t = total(b);
      if (t === 0) return `<rect x="${i * w}" y="${h - 1}" width="${w - 1}" height="1" fill="#dcdcde"/>`;
      const rate = b.success / t;
      const bh = Math.max(2, Math.round(rate * h));
      return `<rect x="${i * w}" y="${h - bh}" width="${w - 1}" height="${bh}" fill="${rate === 1 ? '#00a32a' : rate >= 0.5 ? '#dba617' : '#d63638'}"/>`;
    })
    .join('');
  const summary = successSummary(buckets, period);
  return html`<svg class="sparkline" role="img" aria-label="${summary}" width="${buckets.length * w}" height="${h}" viewBox="0 0 ${buckets.length * w} ${h}"><title>${summary}</title>${raw(bars)}</svg>`;
}

/**
 * Attempts per hour, stacked: success, retrying (a retry followed), failed (the final failure).
 * With a summary line and a per-day table, so it reads without the picture and without JS.
 */
export function attemptsChart(ui: AdminUi, buckets: Bucket[], since: number, bucketMs: number): SafeHtml {
  const { html, raw } = ui;
  const w = 5;
  const h = 120;
  const max = Math.max(1, ...buckets.map(total));
  const colors: Array<[keyof Bucket, string]> = [
    ['success', '#00a32a'],
    ['retrying', '#dba617'],
    ['failed', '#d63638'],
  ];
  const bars = buckets
    .map((b, i) => {
      let y = h;
      return colors
        .map(([k, color]) => {
          const bh = Math.round((b[k] / max) * (h - 10));
          if (!bh) return '';
          y -= bh;
          return `<rect x="${i * w}" y="${y}" width="${w - 1}" height="${bh}" fill="${color}"/>`;
        })
        .join('');
    })
    .join('');
  const days: Array<{ day: string } & Bucket> = [];
  buckets.forEach((b, i) => {
    const day = new Date(since + i * bucketMs).toISOString().slice(0, 10);
    let d = days.find((x) => x.day === day);
    if (!d) days.push((d = { day, success: 0, retrying: 0, failed: 0 }));
    d.success += b.success;
    d.retrying += b.retrying;
    d.failed += b.failed;
  });
  const summary = successSummary(buckets, 'last 7 days');
  return html`<figure class="attempts-chart">
    <svg role="img" aria-label="Attempts per hour over the last 7 days. ${summary}" width="100%" height="${h}" viewBox="0 0 ${buckets.length * w} ${h}" preserveAspectRatio="none">
      <title>Attempts per hour, last 7 days</title>${raw(bars)}
    </svg>
    <figcaption>${summary} <span class="legend"><span class="swatch success"></span> success <span class="swatch retrying"></span> retrying <span class="swatch failed"></span> failed</span></figcaption>
  </figure>
  <details class="attempts-table"><summary>Attempts per day (table)</summary>
      <table class="widefat striped"><thead><tr><th scope="col">Day (UTC)</th><th scope="col">Success</th><th scope="col">Retrying</th><th scope="col">Failed</th></tr></thead>
      <tbody>${days.map((d) => html`<tr><th scope="row">${d.day}</th><td>${d.success}</td><td>${d.retrying}</td><td>${d.failed}</td></tr>`)}</tbody></table>
  </details>`;
}
