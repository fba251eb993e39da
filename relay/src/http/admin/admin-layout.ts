import { html, SafeHtml } from './html';

const STYLE = `
*{box-sizing:border-box}body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f4f5f7;color:#1d2327}
header{background:#1d2327;color:#fff;padding:.6em 1.2em;display:flex;gap:1.4em;align-items:center;flex-wrap:wrap}
header a{color:#c3d9f0;text-decoration:none}header a.here{color:#fff;font-weight:600}header .who{margin-left:auto;display:flex;gap:.8em;align-items:center}
header strong{font-size:1.05em}.mode{background:#ffd84d;color:#1d2327;border-radius:3px;padding:0 .5em;font-size:.85em;font-weight:600}
main{max-width:74em;margin:1.2em auto;padding:0 1em}
section{background:#fff;border:1px solid #dcdcde;border-radius:4px;padding:.8em 1.1em;margin-bottom:1.1em}
h1{font-size:1.35em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:.2em 0 .5em}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #ececec;vertical-align:top}
th{font-size:.85em;color:#50575e;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.9em;background:#f0f0f1;padding:0 .25em;border-radius:2px;word-break:break-all}
.st{display:inline-block;padding:0 .55em;border-radius:3px;font-size:.88em;background:#dcdcde;white-space:nowrap}
.st-paid,.st-refunded{background:#c6e1c6;color:#0a4b0a}.st-pending,.st-created{background:#e6eef7;color:#1f4b7a}
.st-review{background:#f8dda7;color:#6b4500}
.st-failed{background:#f3c4c4;color:#8a1f1f;font-weight:600}
.st-expired{background:#fff;color:#646970;border:1px dashed #8c8f94;font-style:italic}
.st-cancelled{background:#e0e0e0;color:#3c434a}
.br-closed{background:#c6e1c6}.br-half_open{background:#f8dda7}.br-open{background:#f3c4c4;font-weight:600}
.muted{color:#646970;font-size:.9em}.error{color:#b32d2e;font-weight:600}.ok{color:#0a4b0a}
.flash{background:#e6f4ea;border-left:4px solid #1a7f37;padding:.5em .8em;margin-bottom:1em}
.flash.bad{background:#fcecec;border-left-color:#b32d2e}
form.inline{display:inline}button{font:inherit;padding:.25em .8em;border-radius:3px;border:1px solid #2271b1;background:#2271b1;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2271b1}button.link{background:none;border:0;color:#c3d9f0;padding:0}
ol.timeline{list-style:none;padding:0;margin:0}ol.timeline li{padding:.35em 0;border-bottom:1px solid #ececec;display:grid;grid-template-columns:12.5em 10em 1fr;gap:.6em}
.kind{font-size:.85em;color:#50575e}.advice{margin:.3em 0 0;font-size:.92em}
input[type=password]{font:inherit;padding:.3em .5em;width:22em;max-width:100%}
`;

// Our own constant, not a value from outside: the one piece of markup that goes in unescaped.
const STYLE_ELEMENT = new SafeHtml(`<style>${STYLE}</style>`);

export interface LayoutView {
  title: string;
  /** Which nav entry is current. */
  here?: 'sessions' | 'alerts' | 'dead-letters' | 'providers';
  /** The CSRF token for the logout form; absent on the login and refusal pages. */
  csrf?: string;
  /** Shown when the dashboard is open without a login (sandbox mode, local requests only). */
  localOnly?: boolean;
  mode: 'test' | 'live';
  flash?: { text: string; bad?: boolean } | null;
  /** Where this dashboard is seen: /admin, or /shops/<id>/admin for a registered shop's (README, "Many shops"). */
  root?: string;
  /** The registered shop this dashboard shows (none: the environment shop's). */
  shop?: string | null;
  /** The other shops' dashboards on this relay, for the header. */
  dashboards?: ReadonlyArray<{ label: string; href: string }>;
}

/** The dashboard's own path, as the browser sees it. */
export function adminRoot(view: { root?: string }): string {
  return view.root ?? '/admin';
}

const NAV = [
  ['sessions', '/', 'Sessions'],
  ['alerts', '/alerts', 'Alerts'],
  ['dead-letters', '/dead-letters', 'Dead letters'],
  ['providers', '/providers', 'Providers'],
] as const;

/** Every dashboard page: plain HTML and CSS, no scripts, nothing loaded from elsewhere. */
export function layout(view: LayoutView, body: SafeHtml): string {
  const nav = view.csrf
    ? NAV.map(([id, href, label]) => html`<a href="${adminRoot(view)}${href}" class="${id === view.here ? 'here' : ''}">${label}</a>`)
    : [];
  const shops =
    view.csrf && view.dashboards?.length
      ? html`<span class="muted" data-testid="dashboards">${view.dashboards.map((d) => html`<a href="${d.href}">${d.label}</a> `)}</span>`
      : '';
  const who = view.csrf
    ? view.localOnly
      ? html`<span class="muted">open to this machine only (no PAYRELAY_ADMIN_TOKEN)</span>`
      : html`<form class="inline" method="post" action="${adminRoot(view)}/logout"><input type="hidden" name="csrf" value="${view.csrf}"><button class="link" type="submit">Log out</button></form>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${view.title} — Payrelay dashboard</title>${STYLE_ELEMENT}</head>
<body><header><strong>Payrelay</strong>${view.shop ? html`<span data-testid="dashboard-shop">shop ${view.shop}</span>` : ''}${view.mode === 'test' ? html`<span class="mode">test mode</span>` : ''}${nav}${shops}<span class="who">${who}</span></header>
<main>${view.flash ? html`<p class="flash ${view.flash.bad ? 'bad' : ''}" data-testid="flash">${view.flash.text}</p>` : ''}${body}</main></body></html>`.markup;
}

/** `2026-12-02 01:02:03 UTC`, or a dash. */
export function when(ms: number | null | undefined): string {
  return ms ? `${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)} UTC` : '—';
}
