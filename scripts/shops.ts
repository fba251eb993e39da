/**
 * `npm run shops:add | shops:list | shops:remove -- …`: the shops a relay serves besides the one in its environment
 * (README, "Many shops"). Kept in the relay's main database (PAYRELAY_DB, or the main schema of PAYRELAY_DATABASE_URL);
 * every relay running on that database follows a change within seconds. Secrets and keys are stored, never printed.
 */
import { openPostgres } from '../relay/src/adapters/postgres/open-postgres';
import { createPostgresShopRegistry } from '../relay/src/adapters/postgres/postgres-shop-registry';
import { openDatabase } from '../relay/src/adapters/sqlite/open-database';
import { createSqliteShopRegistry } from '../relay/src/adapters/sqlite/sqlite-shop-registry';
import { registerShop, summarise } from '../relay/src/app/register-shop';
import type { RelayConfig } from '../relay/src/config/config-schema';
import { ConfigError, loadConfig, readSettings } from '../relay/src/config/load-config';
import { describeShopPlace } from '../relay/src/config/shop-config';
import type { ShopRegistry } from '../relay/src/ports/shop-registry';

const HELP = `Usage:
  npm run shops:add -- --id <shop> --wc-url <https://shop.example> --wc-key <ck_…> --wc-secret <cs_…> --shop-secret <secret>
                       [--mode test|live] [--routes <file or inline JSON>] [--set NAME=value]… [--settings-file <file>]
  npm run shops:list
  npm run shops:remove -- --id <shop>

--set and --settings-file (KEY=value lines or a JSON object) take the shop's own settings under the single-shop
names: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, MOLLIE_API_KEY, PAYPAL_CLIENT_ID, ADYEN_API_KEY, SANDBOX_…,
WC_TIMEOUT_MS, PAYRELAY_SANDBOX. A file keeps secrets out of the shell's history.

The shop's webhooks are <PAYRELAY_PUBLIC_URL>/webhooks/<shop>/<provider>; its plugin sends "Shop id" = <shop>.
Every relay running on this database (PAYRELAY_DB, or PAYRELAY_DATABASE_URL for a fleet) starts serving a shop
added (and stops one removed) within 5 seconds.`;

const FLAG_SETTING: Record<string, string> = {
  '--wc-url': 'WC_URL',
  '--wc-key': 'WC_CONSUMER_KEY',
  '--wc-secret': 'WC_CONSUMER_SECRET',
  '--shop-secret': 'PAYRELAY_SHOP_SECRET',
  '--mode': 'PAYRELAY_MODE',
  '--routes': 'PAYRELAY_ROUTES',
};

function parse(args: string[]): { id: string | null; settings: Record<string, string>; problems: string[] } {
  let id: string | null = null;
  const settings: Record<string, string> = {};
  const problems: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i];
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) {
      problems.push(`${flag} needs a value`);
      continue;
    }
    i += 1;
    if (flag === '--id') id = value;
    else if (FLAG_SETTING[flag]) settings[FLAG_SETTING[flag]] = value;
    else if (flag === '--set') {
      const match = /^([A-Z0-9_]+)=(.*)$/.exec(value);
      if (match) settings[match[1]] = match[2];
      else problems.push(`--set ${value.split('=')[0]}: expected NAME=value`);
    } else if (flag === '--settings-file') {
      try {
        Object.assign(settings, readSettings({ PAYRELAY_CONFIG_FILE: value }));
      } catch (error) {
        problems.push(error instanceof ConfigError ? error.problems.join('; ') : String(error));
      }
    } else problems.push(`unknown option ${flag} (--help lists them)`);
  }
  return { id, settings, problems };
}

/** The registry in the relay's main database, migrated like the relay does at start (the first use may come first). */
function openRegistry(config: Readonly<RelayConfig>): { registry: ShopRegistry; close(): void } {
  if (config.databaseUrl) {
    const db = openPostgres(config.databaseUrl, { lockTimeoutMs: config.databaseBusyTimeoutMs });
    return { registry: createPostgresShopRegistry(db), close: () => db.close() };
  }
  const db = openDatabase(config.databasePath);
  return { registry: createSqliteShopRegistry(db), close: () => db.close() };
}

function main(): number {
  const [command, ...args] = process.argv.slice(2);
  if (!command || args.includes('--help') || command === '--help' || !['add', 'list', 'remove'].includes(command)) {
    console.log(HELP);
    return command && !['add', 'list', 'remove', '--help'].includes(command) ? 2 : 0;
  }
  const config = loadConfig();
  const { registry, close } = openRegistry(config);
  try {
    if (command === 'list') {
      const shops = registry.list().map(summarise);
      if (shops.length === 0) console.log('No shops registered (the environment shop is served as always).');
      for (const shop of shops) {
        console.log(`${shop.id}  ${shop.wcUrl}  added ${new Date(shop.createdAt).toISOString()}  settings: ${shop.settingNames.join(', ') || '(none besides the keys)'}`);
        console.log(`    webhooks ${config.publicUrl}/webhooks/${shop.id}/<provider>   ${describeShopPlace(registry.placeOf(shop.id))}`);
      }
      return 0;
    }
    const { id, settings, problems } = parse(args);
    if (!id) problems.push('--id is required');
    if (problems.length > 0) {
      console.error(problems.map((p) => `  - ${p}`).join('\n'));
      return 2;
    }
    if (command === 'remove') {
      if (!registry.remove(id!)) {
        console.error(`no shop "${id}" is registered`);
        return 1;
      }
      console.log(`Removed shop ${id}. Its ${describeShopPlace(registry.placeOf(id!))} is kept; running relays stop serving it within 5 seconds.`);
      return 0;
    }
    const added = registerShop(registry, { id: id!, settings }, { env: process.env, config }, Date.now());
    if (!added.ok) {
      console.error(`The shop was not added, ${added.error.length} problem(s):\n${added.error.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    console.log(`Added shop ${added.value.id} (${added.value.wcUrl}). Running relays serve it within 5 seconds.`);
    console.log(`  webhooks:  ${config.publicUrl}/webhooks/${added.value.id}/<provider>`);
    console.log(`  plugin:    Payrelay settings → Shop id: ${added.value.id}, and the shop secret you gave`);
    return 0;
  } finally {
    close();
  }
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
