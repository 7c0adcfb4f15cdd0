import { createRequire } from 'node:module';
import { HtmlValidate, type ConfigData } from 'html-validate';
import type { Page } from 'playwright-core';

/**
 * html-validate's recommended preset, minus rules that only judge style (not what a browser
 * or an assistive technology makes of the page). Everything else stays on.
 */
export const HTML_VALIDATE_CONFIG: ConfigData = {
  extends: ['html-validate:recommended'],
  rules: {
    // Style, not structure: our markup is generated, its formatting is not the product.
    'no-inline-style': 'off',
    'attribute-boolean-style': 'off',
    'attribute-empty-style': 'off',
    'void-style': 'off',
    'no-trailing-whitespace': 'off',
    'prefer-tbody': 'off',
    'no-redundant-for': 'off',
    'long-title': 'off',
  },
};

const validator = new HtmlValidate(HTML_VALIDATE_CONFIG);

/** Ancestors that may not hold a <form> anywhere below them: forms and phrasing content. */
const NO_FORM_BELOW = new Set(['form', 'span', 'a', 'button', 'label', 'p', 'strong', 'em', 'code', 'small', 'b', 'i', 'select', 'option', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'summary', 'dt', 'legend', 'caption']);
/** Parents a <form> may not be a child of (the parser moves or empties it). */
const NO_FORM_CHILD = new Set(['table', 'tbody', 'thead', 'tfoot', 'tr', 'ul', 'ol', 'dl', 'select']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/**
 * Our own rule, which html-validate's preset misses: a <form> opened while a <form> is open
 * (the browser drops the inner one and its fields join the outer form), or inside an element
 * that cannot hold one (span, a, button, p, table parts, headings …). Works on the source as
 * sent, the way the parser meets it.
 */
export function nestedFormErrors(source: string): string[] {
  const errors: string[] = [];
  const stack: string[] = [];
  const body = source.replace(/<!--[\s\S]*?-->/g, '').replace(/<(script|style|template|textarea)\b[\s\S]*?<\/\1>/gi, '');
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(\/?)>/g;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    const [, closing, rawName, selfClosing] = m;
    const name = rawName!.toLowerCase();
    if (closing) {
      const at = stack.lastIndexOf(name);
      if (at !== -1) stack.length = at;
      continue;
    }
    if (name === 'form') {
      const parent = stack.at(-1);
      const blocker = [...stack].reverse().find((s) => NO_FORM_BELOW.has(s)) ?? (parent && NO_FORM_CHILD.has(parent) ? parent : undefined);
      if (blocker) {
        const line = body.slice(0, m.index).split('\n').length;
        errors.push(`line ${line}: <form> inside <${blocker}> (${[...stack, 'form'].slice(-4).join(' > ')}): ${m[0].slice(0, 120)}`);
      }
    }
    if (!VOID.has(name) && !selfClosing) stack.push(name);
  }
  return errors;
}

/** html-validate's messages plus the nested-form rule's, one line each ([] when valid). */
export async function markupErrors(source: string): Promise<string[]> {
  const report = await validator.validateString(source);
  const out = report.results.flatMap((r) => r.messages.map((msg) => `line ${msg.line}: ${msg.ruleId}: ${msg.message} [${(msg.selector ?? '').slice(0, 100)}]`));
  return [...out, ...nestedFormErrors(source).map((e) => `nested-form: ${e}`)];
}

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Runs axe-core in the page: violations of WCAG 2.0/2.1 A and AA rules, one line each. */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }> }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`.replace(/\s+/g, ' ').slice(0, 240)) }));
  });
  return result.flatMap((v) => v.nodes.map((n) => `${v.id}: ${v.help}: ${n}`));
}
