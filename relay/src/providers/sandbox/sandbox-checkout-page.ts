import { formatMoney } from '../../domain/money';

export interface SandboxPageView {
  relaySessionId: string;
  merchantOrderId: string;
  amountMinor: number;
  currency: string;
  /** The relay's status of the session. */
  status: string;
  expiresAt: number;
  now: number;
  /** Offer "expire now": the relay's expiry sweep runs at once for this session (sandbox mode). */
  canExpireNow?: boolean;
}

function waitWords(ms: number): string {
  const minutes = Math.max(0, Math.ceil(ms / 60_000));
  return minutes >= 120 ? `${Math.round(minutes / 60)} hours` : minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

const STYLE = `
  *{box-sizing:border-box} body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f1ea;color:#1d1d1f}
  .banner{background:repeating-linear-gradient(45deg,#ffd84d,#ffd84d 14px,#1d1d1f 14px,#1d1d1f 28px);padding:6px}
  .banner p{margin:0;background:#ffd84d;text-align:center;font-weight:700;letter-spacing:.02em;padding:6px}
  main{max-width:34rem;margin:2rem auto;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.08);padding:1.75rem}
  h1{font-size:1.3rem;margin:0 0 1rem} dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem;margin:0 0 1.2rem}
  dt{color:#666} dd{margin:0;font-weight:600} .amount{font-size:1.6rem}
  .note{background:#fff4d6;border-left:4px solid #e0a800;padding:.6rem .8rem;margin:0 0 1rem;border-radius:4px}
  .buttons{display:grid;grid-template-columns:1fr 1fr;gap:.6rem;margin:1rem 0}
  button{font:inherit;padding:.75rem;border-radius:8px;border:1px solid #bbb;background:#fafafa;cursor:pointer}
  button.pay{background:#1a7f37;color:#fff;border-color:#1a7f37;font-weight:700;grid-column:1/3}
  button.decline{background:#fff;color:#b42318;border-color:#b42318}
  fieldset{border:1px solid #ddd;border-radius:8px;padding:.6rem 1rem} legend{color:#666;padding:0 .3rem}
  label{display:block;margin:.25rem 0} input[type=number]{width:5rem;font:inherit}
  footer{color:#777;font-size:.85rem;margin-top:1rem}
`;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><div class="banner"><p>Payrelay Sandbox — test payments only. No real money moves.</p></div>${body}</body></html>`;
}

/** The sandbox's hosted checkout page: plain HTML and CSS, no scripts, no external assets. */
export function renderSandboxCheckoutPage(view: SandboxPageView): string {
  const id = encodeURIComponent(view.relaySessionId);
  const expired = view.now >= view.expiresAt;
  const notes: string[] = [];
  if (expired) notes.push('This session has passed its expiry time. Paying now simulates a payment that arrives late.');
  if (view.status !== 'created' && view.status !== 'pending') notes.push(`The relay already records this session as <strong>${escapeHtml(view.status)}</strong>. Another outcome here tests how the relay handles it.`);
  return layout(
    `Payrelay Sandbox — order ${view.merchantOrderId}`,
    `<main>
  <h1>Payrelay Sandbox checkout</h1>
  ${notes.map((note) => `<p class="note">${note}</p>`).join('\n  ')}
  <dl>
    <dt>Order</dt><dd data-testid="order">${escapeHtml(view.merchantOrderId)}</dd>
    <dt>Amount</dt><dd class="amount" data-testid="amount">${escapeHtml(formatMoney(view.amountMinor, view.currency))}</dd>
    <dt>Session</dt><dd><code>${escapeHtml(view.relaySessionId)}</code></dd>
    <dt>Expires</dt><dd>${escapeHtml(new Date(view.expiresAt).toISOString().replace('T', ' ').slice(0, 16))} UTC</dd>
  </dl>
  <form method="post" action="/sandbox/checkout/${id}">
    <div class="buttons">
      <button class="pay" type="submit" name="action" value="pay" id="pay">Pay ${escapeHtml(formatMoney(view.amountMinor, view.currency))}</button>
      <button class="decline" type="submit" name="action" value="decline" id="decline">Decline (card declined)</button>
      <button type="submit" name="action" value="review" id="review">Send to review</button>
      <button type="submit" name="action" value="abandon" id="abandon" formnovalidate>Abandon (let it expire)</button>
      ${view.canExpireNow && (view.status === 'created' || view.status === 'pending') ? `<button type="submit" name="action" value="expire_now" id="expire-now" formnovalidate>Abandon and expire now (skip the ${escapeHtml(waitWords(view.expiresAt - view.now))} wait)</button>` : ''}
    </div>
    <fieldset>
      <legend>Webhook delivery</legend>
      <label><input type="radio" name="delivery" value="normal" checked> Deliver now</label>
      <label><input type="radio" name="delivery" value="late"> Deliver late, after <input type="number" name="delay" value="10" min="1" max="600"> seconds</label>
      <label><input type="radio" name="delivery" value="twice"> Deliver twice (the same event)</label>
      <label><input type="radio" name="delivery" value="out_of_order"> Deliver out of order (a pending event after the outcome)</label>
    </fieldset>
  </form>
  <footer>The webhook goes to the relay signed like a real provider's; returning to the shop is only for the shopper.</footer>
</main>`,
  );
}

export function renderSandboxMessagePage(title: string, message: string): string {
  return layout(title, `<main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main>`);
}
