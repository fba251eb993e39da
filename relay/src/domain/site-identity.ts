/**
 * Which WordPress site is asking. A staging copy of the shop carries the live shop's plugin settings (relay URL
 * and shop secret) along with its database, so a valid signature alone does not prove the request comes from the
 * shop this relay writes to: order 1042 on the copy is a different order than 1042 in the live shop. The plugin
 * signs its own site address into every session request and the relay compares it with the shop it serves.
 */
export type SiteCheck =
  | { ok: true }
  | { ok: false; code: 'site_url_missing' | 'site_mismatch'; message: string };

/**
 * The comparable form of a site address: lower-case scheme and host, no default port, no trailing slash, no
 * query or fragment. `https://Shop.example:443/` and `https://shop.example` are the same site; `http://` and
 * `https://`, `www.` and no `www.`, or another sub-directory are not (WordPress would build different URLs).
 * Null when the text is not an http(s) URL.
 */
export function normalizeSiteUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host.toLowerCase()}${path}`;
}

/** Compares the site a request says it comes from with the shop this relay serves (`WC_URL`). */
export function checkRequestingSite(servedUrl: string, requestingUrl: string | null | undefined): SiteCheck {
  const served = normalizeSiteUrl(servedUrl) ?? servedUrl;
  if (requestingUrl === null || requestingUrl === undefined || requestingUrl.trim() === '') {
    return {
      ok: false,
      code: 'site_url_missing',
      message: `this relay serves ${served}; the request does not say which site sent it (site_url), so it is refused. Update the Payrelay plugin`,
    };
  }
  const requesting = normalizeSiteUrl(requestingUrl);
  if (requesting === served) return { ok: true };
  return {
    ok: false,
    code: 'site_mismatch',
    message: `this relay serves ${served}; this site is ${requesting ?? requestingUrl}. A copy of the shop (staging, a clone) must not use the live shop's relay: give it its own relay and shop secret, or clear the relay settings on the copy`,
  };
}
