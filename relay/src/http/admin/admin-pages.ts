import type { OrderTimeline } from '../../app/order-timeline';
import type { ProviderHealth } from '../../app/provider-health';
import { formatMoney } from '../../domain/money';
import type { Alert } from '../../ports/alert-store';
import type { DeadLetterView } from '../../app/dead-letters';
import type { SessionSummary } from '../../ports/ops-store';
import { html, type SafeHtml } from './html';
import { adminRoot, layout, when, type LayoutView } from './admin-layout';

type Page = Omit<LayoutView, 'title' | 'here'>;

/** What each session status means to an operator; expired is not failed, and the page says so. */
const STATUS_MEANING: Record<string, string> = {
  created: 'checkout opened, nothing paid yet',
  pending: 'payment started, waiting for the provider',
  paid: 'paid (confirmed by the provider’s webhook)',
  failed: 'failed: the provider declined or the payment errored',
  expired: 'expired unpaid: not a decline; the order stays payable',
  cancelled: 'cancelled',
  review: 'on hold for a review (fraud check, dispute, mode mismatch)',
  refunded: 'refunded',
};

function status(value: string): SafeHtml {
  return html`<span class="st st-${value}" title="${STATUS_MEANING[value] ?? value}" data-status="${value}">${value}</span>`;
}

const orderLink = (page: Page, orderId: string) => html`<a href="${adminRoot(page)}/orders/${encodeURIComponent(orderId)}" data-testid="order-link">#${orderId}</a>`;

export function renderLoginPage(page: Page & { error?: string | null }): string {
  return layout(
    { ...page, title: 'Log in' },
    html`<h1>Relay dashboard</h1><section>
<form method="post" action="${adminRoot(page)}/login">
<p><label>Admin token (<code>PAYRELAY_ADMIN_TOKEN</code>)<br><input type="password" name="token" autocomplete="current-password" autofocus required></label></p>
${page.error ? html`<p class="error" data-testid="login-error">${page.error}</p>` : ''}
<p><button type="submit">Log in</button></p></form>
<p class="muted">The login lasts 8 hours. Failed attempts are limited per address.</p></section>`,
  );
}

/** No token configured and not a sandbox relay served locally: say how to turn the dashboard on. */
export function renderRefusedPage(page: Page & { reason: string }): string {
  return layout(
    { ...page, title: 'Dashboard not enabled' },
    html`<h1>The dashboard needs an admin token</h1><section><p>${page.reason}</p>
<p>Set <code>PAYRELAY_ADMIN_TOKEN</code> to a long random value (at least 16 characters), for example the output of
<code>openssl rand -hex 24</code>, restart the relay, and log in at <code>/admin/</code> with it.</p></section>`,
  );
}

export function renderMessagePage(page: Page & { title: string; message: string }): string {
  return layout(page, html`<h1>${page.title}</h1><section><p class="error">${page.message}</p><p><a href="${adminRoot(page)}/">Back to the dashboard</a></p></section>`);
}

export function renderSessionsPage(page: Page & { sessions: SessionSummary[]; byStatus: Record<string, number>; demoShopUrl: string | null; now: number }): string {
  const counts = Object.entries(page.byStatus).sort((a, b) => a[0].localeCompare(b[0]));
  return layout(
    { ...page, title: 'Sessions', here: 'sessions' },
    html`<h1>Recent checkout sessions</h1>
<section><p>${counts.length ? counts.map(([s, n]) => html`${status(s)} ${n} &nbsp; `) : html`<span class="muted">No sessions yet.</span>`}</p>
<p class="muted"><span class="st st-failed">failed</span> means the provider declined; <span class="st st-expired">expired</span> means nobody paid in time (the order stays payable).
${page.demoShopUrl ? html` Try it in the <a href="${page.demoShopUrl}">demo shop</a>.` : ''}</p></section>
<section><table data-testid="sessions"><thead><tr><th>Order</th><th>Status</th><th>Provider</th><th class="num">Amount</th><th>Created</th><th>Expires</th><th>Session</th></tr></thead><tbody>
${page.sessions.map(
  (s) => html`<tr data-order="${s.merchantOrderId}"><td>${orderLink(page, s.merchantOrderId)}</td><td>${status(s.status)}</td><td>${s.provider}</td><td class="num">${formatMoney(s.amountMinor, s.currency)}</td>
<td>${when(s.createdAt)}</td><td>${when(s.expiresAt)}${(s.status === 'created' || s.status === 'pending') && s.expiresAt <= page.now ? html` <span class="muted">(due for expiry)</span>` : ''}</td><td><code>${s.id}</code></td></tr>`,
)}
</tbody></table>${page.sessions.length === 0 ? html`<p class="muted">Nothing yet.</p>` : ''}</section>`,
  );
}

export function renderTimelinePage(page: Page & { timeline: OrderTimeline }): string {
  const { timeline } = page;
  return layout(
    { ...page, title: `Order #${timeline.orderId}`, here: 'sessions' },
    html`<h1>Order #${timeline.orderId}: payment timeline</h1>
<section><h2>Sessions</h2><table data-testid="order-sessions"><thead><tr><th>Session</th><th>Status</th><th>Provider</th><th class="num">Amount</th><th>Created</th><th>Expires</th></tr></thead><tbody>
${timeline.sessions.map(
  (s) => html`<tr><td><code>${s.id}</code></td><td>${status(s.status)} <span class="muted">${STATUS_MEANING[s.status] ?? ''}</span></td><td>${s.provider}</td>
<td class="num">${formatMoney(s.amountMinor, s.currency)}</td><td>${when(s.createdAt)}</td><td>${when(s.expiresAt)}</td></tr>`,
)}</tbody></table></section>
<section><h2>What happened</h2><ol class="timeline" data-testid="timeline">
${timeline.entries.map((e) => html`<li data-kind="${e.kind}"><span class="muted">${when(e.at)}</span><span class="kind">${e.kind.replace(/_/g, ' ')}${e.provider ? html`<br>${e.provider}` : ''}</span><span>${e.message}</span></li>`)}
</ol>${timeline.entries.length === 0 ? html`<p class="muted">No log entries.</p>` : ''}
<p class="muted">The same entries as <code>GET /v1/orders/${timeline.orderId}/timeline</code> (the plugin's order screen).</p></section>`,
  );
}

/** What to do about each kind of alert; the webhook alarms carry their own advice in the message. */
const ALERT_ADVICE: Record<Alert['code'], string> = {
  paid_not_in_shop: 'Open the order in the shop and check it against the provider; run npm run reconcile to write what the provider says.',
  double_payment: 'The customer paid twice: refund one of the payments at the provider (or from the order screen).',
  order_changed_by_hand: 'Someone changed the order in the shop; check that its status matches the payment.',
  dead_letter: 'The shop refused or could not take the write. Fix the cause, then Retry it under Dead letters.',
  mode_mismatch: 'An event from the other mode (live vs test) arrived; check the payment in the provider’s dashboard.',
  webhook_bad_signatures: 'Paste the provider’s current signing secret into the relay’s configuration.',
  webhooks_missing: 'Register the webhook URL shown under Providers in the provider’s dashboard.',
  webhook_retries: 'See the reason in the message; the provider keeps retrying until it is fixed.',
  dead_letters: 'Fix the shop connection, then Retry the commands under Dead letters.',
};

export function renderAlertsPage(page: Page & { alerts: Alert[]; csrf: string }): string {
  return layout(
    { ...page, title: 'Alerts', here: 'alerts' },
    html`<h1>Open alerts</h1>
<section><p class="muted">Webhook alarms (bad signatures, missing webhooks, retries, dead letters) clear by themselves when the cause is fixed;
one dismissed while its cause is still there comes back at the next check (every 15 seconds).</p>
<table data-testid="alerts"><thead><tr><th>Raised</th><th>Kind</th><th>Order</th><th>What happened, and what to do</th><th></th></tr></thead><tbody>
${page.alerts.map(
  (a) => html`<tr data-alert="${a.id}"><td>${when(a.at)}</td><td><code>${a.code}</code></td><td>${a.merchantOrderId ? orderLink(page, a.merchantOrderId) : html`<span class="muted">—</span>`}</td>
<td>${a.message}<p class="advice"><strong>What to do:</strong> ${ALERT_ADVICE[a.code] ?? 'See the message.'}</p></td>
<td><form class="inline" method="post" action="${adminRoot(page)}/alerts/${a.id}/dismiss"><input type="hidden" name="csrf" value="${page.csrf}"><button class="secondary" type="submit">Dismiss</button></form></td></tr>`,
)}</tbody></table>${page.alerts.length === 0 ? html`<p class="ok" data-testid="no-alerts">No open alerts.</p>` : ''}</section>`,
  );
}

export function renderDeadLettersPage(page: Page & { letters: DeadLetterView[]; total: number; csrf: string }): string {
  const button = (d: DeadLetterView, action: 'retry' | 'dismiss', label: string, style: string) =>
    html`<form class="inline" method="post" action="${adminRoot(page)}/dead-letters/${d.id}/${action}"><input type="hidden" name="csrf" value="${page.csrf}"><button class="${style}" type="submit" data-testid="${action}">${label}</button></form>`;
  return layout(
    { ...page, title: 'Dead letters', here: 'dead-letters' },
    html`<h1>Dead letters</h1>
<section><p class="muted">Shop writes and provider calls the outbox gave up on after every retry. Fix the cause (the shop down, keys refused,
a status the shop will not take), then Retry: the relay runs the command again now, and still looks for its own note first, so the order is
written once. Dismiss one that was dealt with some other way; it is kept for the record but not retried.</p>
<table data-testid="dead-letters"><thead><tr><th>#</th><th>Order</th><th>What it was to do</th><th class="num">Attempts</th><th>Last error</th><th>Given up</th><th></th></tr></thead><tbody>
${page.letters.map(
  (d) => html`<tr data-dead-letter="${d.id}"><td>${d.id}</td><td>${d.merchantOrderId ? orderLink(page, d.merchantOrderId) : html`<span class="muted">—</span>`}</td><td>${d.task}</td><td class="num">${d.attempts}</td>
<td>${d.lastError}${d.errorCode ? html` <code>${d.errorCode}</code>` : ''}</td><td>${when(d.diedAt)}</td><td>${button(d, 'retry', 'Retry', '')} ${button(d, 'dismiss', 'Dismiss', 'secondary')}</td></tr>`,
)}</tbody></table>${page.letters.length === 0 ? html`<p class="ok" data-testid="no-dead-letters">No dead letters.</p>` : ''}
${page.total > page.letters.length ? html`<p class="muted">Showing the newest ${page.letters.length} of ${page.total}.</p>` : ''}</section>`,
  );
}

export function renderProvidersPage(page: Page & { health: ProviderHealth[]; windowHours: number }): string {
  const rate = (h: ProviderHealth) => (h.webhookErrorRate === null ? '—' : `${(h.webhookErrorRate * 100).toFixed(1)} %`);
  return layout(
    { ...page, title: 'Providers', here: 'providers' },
    html`<h1>Providers</h1>
<section><h2>Health</h2><table data-testid="provider-health"><thead><tr><th>Provider</th><th>Circuit breaker</th><th class="num">Webhooks stored</th><th class="num">Refused</th><th class="num">Refused share</th><th>Last webhook</th></tr></thead><tbody>
${page.health.map(
  (h) => html`<tr data-provider="${h.provider}"><td>${h.name}</td><td><span class="st br-${h.breaker}">${h.breaker.replace('_', ' ')}</span> <span class="muted">${h.breakerNote}</span></td>
<td class="num">${h.accepted}</td><td class="num">${h.rejected}</td><td class="num">${rate(h)}</td><td>${when(h.lastWebhookAt)}</td></tr>`,
)}</tbody></table><p class="muted">Webhook counts over the last ${page.windowHours} hours. An open breaker skips the provider in routing until a probe call succeeds.</p></section>
<section><h2>Webhook URLs</h2><p class="muted">Paste each provider’s URL into its dashboard (built from <code>PAYRELAY_PUBLIC_URL</code>).</p>
<table data-testid="webhook-urls"><thead><tr><th>Provider</th><th>Webhook URL</th><th>Where</th></tr></thead><tbody>
${page.health.map((h) => html`<tr><td>${h.name}</td><td><code>${h.webhookUrl}</code></td><td>${h.webhookSetup}</td></tr>`)}
</tbody></table></section>`,
  );
}
