/**
 * `npm run providers:connect [-- --rotate]`: create or update the relay's webhook endpoint at Stripe, PayPal and
 * Adyen (ADYEN_MANAGEMENT_API_KEY) with exactly the event types the relay handles, keep the signing secret / webhook
 * id / HMAC key in the database (the running relay uses it at once), and report endpoints elsewhere for the same
 * events and duplicates. `--rotate` makes a new Stripe endpoint and secret and a new Adyen HMAC key; the old one
 * keeps verifying for 24 hours.
 */
import { openDatabase } from '../relay/src/adapters/sqlite/open-database';
import { createSqliteWebhookSecretStore } from '../relay/src/adapters/sqlite/sqlite-webhook-secret-store';
import { connectWebhooks, describeConnect } from '../relay/src/app/connect-webhooks';
import { ConfigError, loadConfig } from '../relay/src/config/load-config';
import { systemClock } from '../relay/src/ports/clock';
import { buildWebhookRegistrars } from '../relay/src/providers/webhook-registrars';

async function main(): Promise<number> {
  const config = loadConfig();
  if (/^https?:\/\/(localhost|127\.|0\.0\.0\.0)/.test(config.publicUrl)) {
    console.error(`PAYRELAY_PUBLIC_URL is ${config.publicUrl}: providers cannot reach that. Set it to the relay's public https address first.`);
    return 1;
  }
  const db = openDatabase(config.databasePath);
  try {
    const outcomes = await connectWebhooks(
      {
        registrars: buildWebhookRegistrars(config, systemClock),
        secrets: createSqliteWebhookSecretStore(db),
        clock: systemClock,
        publicUrl: config.publicUrl,
        envSecrets: new Set([...(config.stripe?.webhookSecrets.length ? ['stripe'] : []), ...(config.adyen?.hmacKeys.length ? ['adyen'] : [])]),
      },
      { rotate: process.argv.includes('--rotate') },
    );
    for (const paragraph of describeConnect(outcomes)) console.log(paragraph);
    return outcomes.some((o) => o.action === 'failed') ? 1 : 0;
  } finally {
    db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
