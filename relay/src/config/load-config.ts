import fs from 'node:fs';
import path from 'node:path';
import type { ValidationErrorItem } from 'joi';
import { envSchema, type RelayConfig } from './config-schema';
import { keyMode, resolveMode, type ConfiguredKey } from './key-mode';
import { isInlineRules } from '../app/route-rules';
import { unknownVariableWarnings } from './unknown-variables';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Payrelay cannot start, the configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee README.md, "Configuration".`);
  }
}

/** The sandbox secret used when none is configured: fine for the demo, never used when a shop is set. */
export const DEFAULT_SANDBOX_SECRET = 'sandbox_whsec_payrelay_demo_only';

/**
 * Reads environment variables, plus an optional file named by PAYRELAY_CONFIG_FILE (JSON object or
 * KEY=value lines) whose values the environment overrides. Reports every problem at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<RelayConfig> {
  const merged = { ...readConfigFile(env.PAYRELAY_CONFIG_FILE), ...stripEmpty(env) };
  const { value, error } = envSchema.validate(merged, { abortEarly: false, convert: true });
  // Schema problems and the cross-field rules below go into one report, so a person fixes everything in one go.
  const problems: string[] = error ? error.details.map(describe) : [];
  const invalid = new Set((error?.details ?? []).map((detail) => String(detail.path[0] ?? '')));

  const shop = value.WC_URL
    ? { url: String(value.WC_URL).replace(/\/+$/, ''), consumerKey: value.WC_CONSUMER_KEY, consumerSecret: value.WC_CONSUMER_SECRET, timeoutMs: value.WC_TIMEOUT_MS }
    : null;
  const sandboxEnabled = value.PAYRELAY_SANDBOX ?? shop === null;
  const keys: ConfiguredKey[] = [];
  if (typeof value.STRIPE_SECRET_KEY === 'string' && !invalid.has('STRIPE_SECRET_KEY')) keys.push({ variable: 'STRIPE_SECRET_KEY', mode: keyMode('STRIPE_SECRET_KEY', value.STRIPE_SECRET_KEY) });
  if (typeof value.MOLLIE_API_KEY === 'string' && !invalid.has('MOLLIE_API_KEY')) keys.push({ variable: 'MOLLIE_API_KEY', mode: keyMode('MOLLIE_API_KEY', value.MOLLIE_API_KEY) });
  // Adyen keys carry no mode; its live URL prefix does (without it, the test endpoint is used).
  if (value.ADYEN_API_KEY && value.ADYEN_LIVE_URL_PREFIX && !invalid.has('ADYEN_LIVE_URL_PREFIX')) keys.push({ variable: 'ADYEN_LIVE_URL_PREFIX', mode: 'live' });
  const resolved = resolveMode(invalid.has('PAYRELAY_MODE') ? undefined : value.PAYRELAY_MODE, keys);
  problems.push(...resolved.problems);
  const mode = resolved.mode;
  const liveBecause = value.PAYRELAY_MODE === 'live' ? '"PAYRELAY_MODE" is live' : 'the provider keys are live keys';
  // Asked for by name only: on by default it means "no shop", which the WC_URL problem below already says.
  if (mode === 'live' && value.PAYRELAY_SANDBOX === true) problems.push(`"PAYRELAY_SANDBOX" cannot be on when ${liveBecause}: the sandbox would take fake payments for real orders`);
  if (mode === 'live' && !shop) problems.push(`"WC_URL" is required in live mode (${liveBecause}; the demo shop is for trying the relay only)`);
  if (value.ADYEN_API_KEY && !value.ADYEN_HMAC_KEY && !value.ADYEN_MANAGEMENT_API_KEY && !invalid.has('ADYEN_API_KEY')) {
    problems.push('"ADYEN_API_KEY" needs "ADYEN_HMAC_KEY" as well (or "ADYEN_MANAGEMENT_API_KEY", so that npm run providers:connect creates the webhook and its HMAC key)');
  }
  if (mode === 'live' && value.ADYEN_API_KEY && !value.ADYEN_LIVE_URL_PREFIX && !value.ADYEN_API_BASE) {
    problems.push(`"ADYEN_LIVE_URL_PREFIX" is required in live mode (${liveBecause}; Adyen live API URLs carry your account's prefix)`);
  }
  // The demo secret is printed in this repository: with a real shop, anyone could sign a sandbox "paid" for its orders.
  if (shop && sandboxEnabled && mode !== 'live' && (value.SANDBOX_WEBHOOK_SECRET ?? DEFAULT_SANDBOX_SECRET) === DEFAULT_SANDBOX_SECRET && !invalid.has('SANDBOX_WEBHOOK_SECRET')) {
    problems.push('"PAYRELAY_SANDBOX" is on with a real shop ("WC_URL") but "SANDBOX_WEBHOOK_SECRET" is the public demo secret: anyone could mark your orders paid. Set SANDBOX_WEBHOOK_SECRET to a secret of your own, or turn the sandbox off (PAYRELAY_SANDBOX=0)');
  }
  const paypalBase = String(value.PAYPAL_API_BASE ?? (mode === 'live' ? 'https://api-m.paypal.com' : 'https://api-m.sandbox.paypal.com')).replace(/\/+$/, '');
  if (mode === 'live' && value.PAYPAL_CLIENT_ID && paypalBase.includes('sandbox')) problems.push(`"PAYPAL_API_BASE" is PayPal's sandbox but ${liveBecause}`);
  if (typeof value.PAYRELAY_ROUTES === 'string' && !isInlineRules(value.PAYRELAY_ROUTES) && !fs.existsSync(value.PAYRELAY_ROUTES)) {
    problems.push(`"PAYRELAY_ROUTES" names ${value.PAYRELAY_ROUTES}, which does not exist (give the path of a JSON file, or the rules inline as JSON starting with [)`);
  }
  // A misspelt name is often why a required one is "missing": list those next to the problems they cause.
  if (problems.length > 0) throw new ConfigError([...problems, ...unknownVariableWarnings(Object.keys(merged))]);

  const port: number = value.PAYRELAY_PORT;
  const config: RelayConfig = {
    port,
    host: value.PAYRELAY_HOST,
    databasePath: value.PAYRELAY_DB,
    databaseUrl: value.PAYRELAY_DATABASE_URL ?? null,
    databaseSchema: null,
    databaseBusyTimeoutMs: value.PAYRELAY_DB_BUSY_TIMEOUT_MS,
    ingestThread: value.PAYRELAY_INGEST_THREAD,
    publicUrl: String(value.PAYRELAY_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    mode,
    logLevel: value.PAYRELAY_LOG_LEVEL,
    maxBodyBytes: value.PAYRELAY_MAX_BODY_BYTES,
    shop,
    shopSecret: value.PAYRELAY_SHOP_SECRET ?? null,
    stripe: value.STRIPE_WEBHOOK_SECRET || value.STRIPE_SECRET_KEY
      ? {
          secretKey: value.STRIPE_SECRET_KEY ?? null,
          webhookSecrets: value.STRIPE_WEBHOOK_SECRET ? String(value.STRIPE_WEBHOOK_SECRET).split(',') : [],
          apiBase: value.STRIPE_API_BASE,
          toleranceSeconds: value.STRIPE_TOLERANCE_SECONDS,
        }
      : null,
    mollie: value.MOLLIE_API_KEY
      ? { apiKey: value.MOLLIE_API_KEY, apiBase: value.MOLLIE_API_BASE, webhookSecrets: value.MOLLIE_WEBHOOK_SECRET ? String(value.MOLLIE_WEBHOOK_SECRET).split(',') : [] }
      : null,
    adyen: value.ADYEN_API_KEY
      ? {
          apiKey: value.ADYEN_API_KEY,
          merchantAccount: value.ADYEN_MERCHANT_ACCOUNT,
          hmacKeys: value.ADYEN_HMAC_KEY ? String(value.ADYEN_HMAC_KEY).split(',') : [],
          apiBase: adyenApiBase(value.ADYEN_API_BASE, value.ADYEN_LIVE_URL_PREFIX),
          live: value.ADYEN_LIVE_URL_PREFIX !== undefined,
          ...(value.ADYEN_MANAGEMENT_API_KEY
            ? {
                management: {
                  apiKey: value.ADYEN_MANAGEMENT_API_KEY,
                  apiBase: String(value.ADYEN_MANAGEMENT_API_BASE ?? (value.ADYEN_LIVE_URL_PREFIX !== undefined ? 'https://management-live.adyen.com' : 'https://management-test.adyen.com')).replace(/\/+$/, ''),
                },
              }
            : {}),
        }
      : null,
    paypal: value.PAYPAL_CLIENT_ID
      ? {
          clientId: value.PAYPAL_CLIENT_ID,
          clientSecret: value.PAYPAL_CLIENT_SECRET,
          webhookIds: value.PAYPAL_WEBHOOK_ID ? String(value.PAYPAL_WEBHOOK_ID).split(',') : [],
          apiBase: paypalBase,
          // PayPal's own hosts say which mode they are; a stand-in (tests) follows the relay's mode.
          livemode: /^https:\/\/api(-m)?\.paypal\.com$/.test(paypalBase) ? true : paypalBase.includes('sandbox') ? false : mode === 'live',
          verification: value.PAYPAL_WEBHOOK_VERIFICATION,
        }
      : null,
    coinbaseCommerce: value.COINBASE_COMMERCE_API_KEY
      ? {
          apiKey: value.COINBASE_COMMERCE_API_KEY,
          webhookSecrets: String(value.COINBASE_COMMERCE_WEBHOOK_SECRET).split(','),
          apiBase: String(value.COINBASE_COMMERCE_API_BASE).replace(/\/+$/, ''),
          live: mode === 'live',
        }
      : null,
    sandbox: { enabled: sandboxEnabled, webhookSecret: value.SANDBOX_WEBHOOK_SECRET ?? DEFAULT_SANDBOX_SECRET },
    routesFile: value.PAYRELAY_ROUTES ?? null,
    metricsToken: value.PAYRELAY_METRICS_TOKEN ?? null,
    adminToken: value.PAYRELAY_ADMIN_TOKEN ?? null,
    readyMaxOutboxAgeMs: value.PAYRELAY_READY_MAX_OUTBOX_AGE_SECONDS * 1000,
    providerTimeoutMs: value.PAYRELAY_PROVIDER_TIMEOUT_MS,
    sessionTtlMinutes: value.PAYRELAY_SESSION_TTL_MINUTES,
    cancelOnExpiry: value.PAYRELAY_CANCEL_ON_EXPIRY,
    retentionDays: value.PAYRELAY_RETENTION_DAYS,
    worker: {
      pollMs: value.PAYRELAY_WORKER_POLL_MS,
      maxAttempts: value.PAYRELAY_WORKER_MAX_ATTEMPTS,
      baseDelayMs: value.PAYRELAY_WORKER_BASE_DELAY_MS,
      maxDelayMs: value.PAYRELAY_WORKER_MAX_DELAY_MS,
      concurrency: value.PAYRELAY_WORKER_CONCURRENCY,
    },
    reconcile: { intervalMs: value.PAYRELAY_RECONCILE_INTERVAL_MS, pendingAfterMinutes: value.PAYRELAY_PENDING_AFTER_MINUTES },
  };
  return deepFreeze(config);
}

/**
 * Warnings for variables (in the environment or the config file) that look like ours but that nothing reads,
 * each with the nearest known name. Not fatal: a setting from a newer version must not stop an older relay.
 */
export function unknownSettingWarnings(env: NodeJS.ProcessEnv = process.env): string[] {
  return unknownVariableWarnings(Object.keys({ ...readConfigFile(env.PAYRELAY_CONFIG_FILE), ...stripEmpty(env) }));
}

/** Live Checkout URLs carry the merchant's own prefix (docs.adyen.com "Live endpoints"); test has one host. */
function adyenApiBase(explicit: string | undefined, livePrefix: string | undefined): string {
  if (explicit) return explicit.replace(/\/+$/, '');
  return livePrefix ? `https://${livePrefix}-checkout-live.adyenpayments.com/checkout` : 'https://checkout-test.adyen.com';
}

function describe(detail: ValidationErrorItem): string {
  // Object-level rules (.and/.with) have an empty path and no key label; .with names the missing key as `peer`.
  const key = detail.path.join('.') || (typeof detail.context?.peer === 'string' ? detail.context.peer : '');
  const hint = key ? (envSchema.extract(key)?.describe().flags as { description?: string } | undefined) : undefined;
  return hint?.description && !detail.message.includes(hint.description) ? `${detail.message} (${hint.description})` : detail.message;
}

/** The settings loadConfig reads: the config file's, overridden by the environment's (empty values left out). */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return { ...readConfigFile(env.PAYRELAY_CONFIG_FILE), ...stripEmpty(env) };
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''));
}

function readConfigFile(file: string | undefined): Record<string, string> {
  if (!file) return {};
  const where = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(where, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'which does not exist' : code === 'EISDIR' ? 'which is a folder' : `which cannot be read (${code ?? String(error)})`;
    throw new ConfigError([`"PAYRELAY_CONFIG_FILE" names ${where}, ${why}`]);
  }
  if (file.endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ConfigError([`the config file ${where} (PAYRELAY_CONFIG_FILE) is not valid JSON: ${(error as Error).message}`]);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError([`the config file ${where} (PAYRELAY_CONFIG_FILE) must hold one JSON object of settings, like {"PAYRELAY_PORT": 8787}`]);
    }
    return parsed as Record<string, string>;
  }
  const values: Record<string, string> = {};
  const unparsable: number[] = [];
  for (const [number, line] of text.split(/\r?\n/).entries()) {
    const match = /^\s*(?:export\s+)?([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match && !line.trim().startsWith('#')) values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
    else if (line.trim() !== '' && !line.trim().startsWith('#')) unparsable.push(number + 1);
  }
  if (unparsable.length > 0) {
    throw new ConfigError([`the config file ${where} (PAYRELAY_CONFIG_FILE) has line(s) ${unparsable.join(', ')} that are not KEY=value (or a .json file's name should end in .json)`]);
  }
  return values;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
