import { PROVIDER_IDS } from '../../domain/provider-event';
import type { InboxRecord } from '../../ports/inbox-store';
import type { PgDb } from './pg-database';

/**
 * The newest received_at per (known provider, way of verifying), each an index-only look-up at the end of
 * migration 9's webhook_events_last_accepted, then the newest per provider: a GROUP BY over the table read every
 * stored event (a parallel seq scan, ~220 ms at 400,000 events).
 */
export const LAST_PER_PROVIDER = `
  SELECT p.provider, MAX(last.at) AS at
  FROM unnest($1::text[]) AS p(provider)
  CROSS JOIN unnest($2::text[]) AS v(verification)
  CROSS JOIN LATERAL (SELECT MAX(received_at) AS at FROM webhook_events WHERE provider = p.provider AND verification = v.verification) AS last
  GROUP BY p.provider
  HAVING MAX(last.at) IS NOT NULL`;

/** A text[] parameter in PostgreSQL's array syntax (libpq sends parameters as text). */
export const textArray = (values: readonly string[]): string => `{${values.map((value) => `"${value.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

/** When each provider's last webhook verified one of `verifications` was received; providers with none are left out. */
export function lastWebhookPerProvider(db: PgDb, verifications: readonly InboxRecord['verification'][]): Record<string, number> {
  const rows = db.all<{ provider: string; at: number }>(LAST_PER_PROVIDER, [textArray(PROVIDER_IDS), textArray(verifications)]);
  return Object.fromEntries(rows.map((row) => [row.provider, Number(row.at)]));
}
