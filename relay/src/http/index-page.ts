const escape = (value: string): string => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The relay's front page: what it serves, so a newcomer knows where to click next. */
export function renderIndexPage(view: { version: string; mode: string; providers: string[]; demoShopUrl: string | null; shopUrl: string | null }): string {
  const shop = view.demoShopUrl
    ? `<p><strong>Demo mode.</strong> No shop is configured, so the relay serves a <a href="${escape(view.demoShopUrl)}">demo shop</a>: place an order there, pay it in the sandbox checkout, and watch the webhook, outbox and order notes.</p>`
    : `<p>Writing orders to <code>${escape(view.shopUrl ?? '')}</code>.</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Payrelay</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2327}code{background:#f0f0f1;padding:0 .3em}</style></head>
<body><h1>Payrelay ${escape(view.version)}</h1><p>Mode: <strong>${escape(view.mode)}</strong>. Providers: ${view.providers.map((p) => `<code>${escape(p)}</code>`).join(', ') || 'none'}.</p>
${shop}
<ul><li><code>POST /webhooks/:provider</code> — provider webhooks</li><li><code>POST /v1/sessions</code> — checkout sessions (signed by the shop)</li>
<li><code>GET /v1/sessions/:id/status?token=…</code> — status for the thank-you page</li><li><code>GET /v1/orders/:id/timeline</code> — the payment log</li><li><code>GET /healthz</code></li><li><a href="/admin/">/admin/</a> — the relay dashboard</li></ul></body></html>`;
}
