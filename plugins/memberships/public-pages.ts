import type { Request, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { PluginApi } from '../../core/plugin-sdk.js';

/** Public invoice, pay and verification pages a client address may open per minute. */
export const PUBLIC_PAGES_PER_MINUTE = 30;
import type { Customer, Membership } from './data/store.js';
import { formatMoney } from './money.js';
import type { MembershipsService } from './service.js';

/** The customer-facing links the events carry: email verification, invoice, payment page. */
export function registerPublicPages(api: PluginApi, svc: MembershipsService): void {
  const { html } = api.ui;
  const page = (res: Response, status: number, title: string, body: ReturnType<typeof html>) =>
    res
      .status(status)
      .type('html')
      .send(
        html`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/assets/css/admin.css"></head><body class="standalone"><main class="standalone-box"><h1>${title}</h1>${body}</main></body></html>`.value,
      );

  // Invoice and pay pages need no login, so their links carry a 192-bit secret (never the
  // 32-bit reference) and each client address may open only so many a minute.
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: PUBLIC_PAGES_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => page(res.set('retry-after', '60'), 429, 'Too many requests', html`<p>Too many requests from your address. Please try again in a minute.</p>`),
  });
  // Resolves once the handler has answered (the host awaits public handlers and answers a throw with 500).
  const limited = (handler: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response) =>
    new Promise<unknown>((resolve, reject) => {
      let admitted = false;
      const done = limiter(req, res, () => {
        admitted = true;
        handler(req, res).then(resolve, reject);
      });
      // Refused (429, answered by the limiter): nothing else runs.
      void Promise.resolve(done).then(() => admitted || resolve(undefined), reject);
    });
  api.routes.get('/memberships/verify-email/', limited(async (req: Request, res: Response) => {
    const token = req.path.split('/').pop() ?? '';
    const customer = await svc.verifyEmail(token);
    if (!customer) return page(res, 404, 'Link expired', html`<p>This verification link is invalid or was already used.</p>`);
    return page(res, 200, 'Email address verified', html`<p>Thank you — your email address is verified.</p>`);
  }));

  const paymentPage = (kind: 'invoice' | 'pay') => limited(async (req: Request, res: Response) => {
    const token = req.path.split('/').pop() ?? '';
    const p = /^[A-Za-z0-9_-]{32}$/.test(token) ? await svc.store.paymentByAccessToken(token) : undefined;
    if (!p) return page(res, 404, 'Not found', html`<p>This link is not valid. Ask the network administrator for a new one.</p>`);
    const m = (await svc.store.get<Membership>('mb_memberships', p.membership_id))!;
    const c = (await svc.store.get<Customer>('mb_customers', m.customer_id))!;
    const product = await svc.store.productNames(p.membership_id);
    const user = await api.users.getAsync(c.user_id);
    return page(
      res,
      200,
      kind === 'invoice' ? `Invoice ${p.reference_code}` : `Pay ${p.reference_code}`,
      html`<dl class="meta-list">
        <dt>Customer</dt><dd>${user?.display_name ?? ''}</dd>
        <dt>Product</dt><dd>${product}</dd>
        <dt>Subtotal</dt><dd>${formatMoney(p.subtotal_cents, p.currency)}</dd>
        <dt>Tax</dt><dd>${formatMoney(p.tax_cents, p.currency)}</dd>
        <dt>Total</dt><dd><strong>${formatMoney(p.total_cents, p.currency)}</strong></dd>
        <dt>Status</dt><dd>${p.status}</dd>
      </dl>${kind === 'pay' && p.status === 'pending' ? html`<p>This network uses manual payments: contact the network administrator to pay this amount.</p>` : ''}`,
    );
  });
  api.routes.get('/memberships/invoice/', paymentPage('invoice'));
  api.routes.get('/memberships/pay/', paymentPage('pay'));
}
