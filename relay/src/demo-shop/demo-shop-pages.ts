import { formatMoney, decimalToMinor } from '../domain/money';
import type { EmulatedNoteRecord, EmulatedOrderRecord } from './emulated-shop-store';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `
body{font-family:system-ui,sans-serif;margin:0;background:#f6f7f7;color:#1d2327}
.banner{background:#b32d2e;color:#fff;padding:.6em 1em;font-weight:600}
main{max-width:60em;margin:1.5em auto;padding:0 1em}
section{background:#fff;border:1px solid #dcdcde;border-radius:4px;padding:1em 1.2em;margin-bottom:1.2em}
label{display:inline-block;margin:.3em 1em .3em 0}
input,select{font:inherit;padding:.2em .4em}
button{font:inherit;padding:.4em 1em;background:#2271b1;color:#fff;border:0;border-radius:3px;cursor:pointer}
.status{display:inline-block;padding:.1em .6em;border-radius:3px;background:#dcdcde;font-size:.9em}
.status-processing,.status-completed{background:#c6e1c6}.status-on-hold{background:#f8dda7}
.status-failed,.status-cancelled{background:#eba3a3}.status-refunded{background:#d8d8f0}
ol.notes{margin:.4em 0 0;padding-left:1.2em;font-size:.92em}ol.notes li{margin:.2em 0}
.muted{color:#646970;font-size:.9em}.error{color:#b32d2e;font-weight:600}
`;

function layout(title: string, body: string, head = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>${head}<style>${STYLE}</style></head>
<body><div class="banner">Demo shop — not a real store. Orders here are kept in the relay's SQLite file; no money moves.</div>
<main>${body}</main></body></html>`;
}

function money(order: EmulatedOrderRecord): string {
  const minor = decimalToMinor(order.total, order.currency);
  return minor === null ? `${order.total} ${order.currency}` : formatMoney(minor, order.currency);
}

export interface OrderWithNotes {
  order: EmulatedOrderRecord;
  /** Newest first. */
  notes: EmulatedNoteRecord[];
}

/** Where the relay dashboard shows an order's payment timeline (null: no link). */
export type TimelineLink = ((orderId: number) => string) | null;

function timelineLink(link: TimelineLink, orderId: number): string {
  return link ? ` · <a href="${escapeHtml(link(orderId))}" data-testid="timeline-link">payment timeline in the relay dashboard</a>` : '';
}

/** The order list with every note; also served alone so the index page can refresh it without losing the form. */
export function renderOrderList(orders: OrderWithNotes[], link: TimelineLink = null): string {
  if (orders.length === 0) return '<p class="muted">No orders yet. Place one above.</p>';
  return orders
    .map(
      ({ order, notes }) => `<section>
<strong>Order #${escapeHtml(order.id)}</strong> · ${escapeHtml(money(order))} · <span class="status status-${escapeHtml(order.status)}">${escapeHtml(order.status)}</span>
${order.transactionId ? ` · <span class="muted">transaction ${escapeHtml(order.transactionId)}</span>` : ''}${timelineLink(link, order.id)}
<div class="muted">${escapeHtml(order.email)} · ${escapeHtml(order.country)} · created ${escapeHtml(order.dateCreated)}${order.datePaid ? ` · paid ${escapeHtml(order.datePaid)}` : ''}</div>
${notes.length ? `<ol class="notes">${notes.map((n) => `<li><span class="muted">${escapeHtml(n.dateCreated)}</span> ${escapeHtml(n.note)}</li>`).join('')}</ol>` : '<p class="muted">No notes yet.</p>'}
</section>`,
    )
    .join('\n');
}

export interface OrderFormValues {
  amount: string;
  currency: string;
  email: string;
  country: string;
  method: string;
}

export const DEFAULT_FORM: OrderFormValues = { amount: '19.99', currency: 'EUR', email: 'shopper@example.com', country: 'NL', method: 'any' };
const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY'];
const METHODS = ['any', 'card', 'bank_transfer', 'wallet', 'crypto'];

function options(values: string[], selected: string): string {
  return values.map((v) => `<option value="${escapeHtml(v)}"${v === selected ? ' selected' : ''}>${escapeHtml(v)}</option>`).join('');
}

export function renderShopPage(orders: OrderWithNotes[], form: OrderFormValues = DEFAULT_FORM, errors: string[] = [], link: TimelineLink = null): string {
  const body = `<h1>Demo shop</h1>
<p class="muted">Place an order, pay it in the sandbox checkout, and watch the relay write the status and notes back through
the same WooCommerce REST client it uses for a real shop (webhook → inbox → outbox → WooCommerce API).</p>
<section><h2>Place a demo order</h2>
${errors.length ? `<ul class="error">${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>` : ''}
<form method="post" action="orders">
<label>Amount <input name="amount" value="${escapeHtml(form.amount)}" size="8" required></label>
<label>Currency <select name="currency">${options(CURRENCIES, form.currency)}</select></label>
<label>Email <input name="email" type="email" value="${escapeHtml(form.email)}" size="28" required></label>
<label>Country <input name="country" value="${escapeHtml(form.country)}" size="3" maxlength="2" required></label>
<label>Method <select name="method">${options(METHODS, form.method)}</select></label>
<button type="submit">Place order and pay</button>
</form></section>
<h2>Orders</h2>
<div id="orders">${renderOrderList(orders, link)}</div>
<script>
setInterval(function () {
  fetch('orders-fragment', { cache: 'no-store' }).then(function (r) { return r.ok ? r.text() : null; })
    .then(function (html) { if (html !== null) document.getElementById('orders').innerHTML = html; }).catch(function () {});
}, 2000);
</script>`;
  return layout('Demo shop — not a real store', body);
}

const WAITING = new Set(['pending', 'on-hold', 'checkout-draft']);

/** The shopper's return page. It only shows the order: the relay changes it, when the provider's webhook arrives. */
export function renderReturnPage(order: EmulatedOrderRecord, notes: EmulatedNoteRecord[], leftCheckout: boolean, link: TimelineLink = null): string {
  const waiting = WAITING.has(order.status);
  const headline = waiting
    ? leftCheckout
      ? 'You left the checkout. The order stays pending until you pay or the payment session expires.'
      : 'Thank you — we are confirming your payment.'
    : order.status === 'processing' || order.status === 'completed'
      ? 'Payment confirmed.'
      : `The order is ${order.status}.`;
  const body = `<h1>Order #${escapeHtml(order.id)}</h1>
<section><p><strong>${escapeHtml(headline)}</strong></p>
<p>Status: <span class="status status-${escapeHtml(order.status)}">${escapeHtml(order.status)}</span> · ${escapeHtml(money(order))}</p>
<p class="muted">Coming back to this page does not change the order; the provider's webhook, through the relay, does.
${waiting ? 'This page refreshes by itself.' : ''}</p>
${notes.length ? `<ol class="notes">${notes.map((n) => `<li><span class="muted">${escapeHtml(n.dateCreated)}</span> ${escapeHtml(n.note)}</li>`).join('')}</ol>` : ''}
</section><p><a href="../">Back to the demo shop</a>${timelineLink(link, order.id)}</p>`;
  return layout(`Order #${order.id} — demo shop`, body, waiting ? '<meta http-equiv="refresh" content="2">' : '');
}

export function renderMessagePage(title: string, message: string): string {
  return layout(`${title} — demo shop`, `<h1>${escapeHtml(title)}</h1><section><p class="error">${escapeHtml(message)}</p></section><p><a href="./">Back to the demo shop</a></p>`);
}
