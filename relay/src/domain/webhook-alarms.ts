import type { ProviderId } from './provider-event';
import { providerDisplayName } from './provider-names';

/**
 * Webhook alarms (issue 11): the traps shop owners meet in every gateway's tracker: a signing secret pasted wrong
 * after a rotation (every webhook silently refused), an endpoint not registered or pointing at a dead URL (no
 * webhook at all), a provider retrying deliveries we keep refusing, shop writes given up. Pure: the facts and the
 * clock come in, the set of alarms that should be open goes out; the caller raises what is new and clears what is
 * gone, so each alarm is raised once and cleared by itself when the cause is fixed.
 */
export type AlarmCode = 'webhook_bad_signatures' | 'webhooks_missing' | 'webhook_retries' | 'dead_letters';

export interface AlarmFacts {
  /** Refused deliveries since `now - policy.lookbackMs`. */
  rejections: ReadonlyArray<{ provider: string; code: string; at: number }>;
  /** When each provider's last verified webhook was stored. */
  lastAccepted: Readonly<Record<string, number>>;
  /**
   * Sessions created in the last day after the provider's last accepted webhook: none has come back for them yet
   * (an abandoned checkout before a webhook that did come back hides nothing created after it).
   */
  silentSessions: ReadonlyArray<{ provider: string; createdAt: number }>;
  /** Shop writes given up after every retry, in the last day. */
  deadLetters: number;
}

export interface AlarmPolicy {
  badSignatureBurst: number;
  burstWindowMs: number;
  /** An open alarm about refusals stays until this long passes without one (or a good webhook arrives). */
  quietToClearMs: number;
  retriesThreshold: number;
  retriesWindowMs: number;
  /** How long after a session a provider normally calls back; sessions older than this with no webhook count. */
  usualWebhookMs: Readonly<Partial<Record<ProviderId, number>>> & { default: number };
  silentSessionsMin: number;
  lookbackMs: number;
}

export const DEFAULT_ALARM_POLICY: AlarmPolicy = {
  badSignatureBurst: 20,
  burstWindowMs: 60_000,
  quietToClearMs: 15 * 60_000,
  retriesThreshold: 10,
  retriesWindowMs: 10 * 60_000,
  // Hosted checkouts are paid within minutes; an abandoned one gets no webhook, hence several sessions and no
  // webhook at all from that provider since the first of them.
  usualWebhookMs: { default: 30 * 60_000 },
  silentSessionsMin: 3,
  lookbackMs: 24 * 3_600_000,
};

export interface Alarm {
  /** Stable identity of one alarm: `${code}:${provider}` (or `dead_letters:shop`). */
  key: string;
  code: AlarmCode;
  provider: string | null;
  /** What happened and what to do, in words. */
  message: string;
}

export function alarmKey(code: AlarmCode, provider: string | null): string {
  return `${code}:${provider ?? 'shop'}`;
}

/** The alarms that should be open now. `open` holds the keys open before, for the "stays until quiet" rules. */
export function evaluateAlarms(facts: AlarmFacts, now: number, open: ReadonlySet<string>, policy: AlarmPolicy = DEFAULT_ALARM_POLICY): Alarm[] {
  const alarms: Alarm[] = [];
  const providers = new Set([...facts.rejections.map((r) => r.provider), ...facts.silentSessions.map((s) => s.provider)]);

  for (const provider of [...providers].sort()) {
    const name = displayName(provider);
    const accepted = facts.lastAccepted[provider] ?? 0;

    const bad = facts.rejections.filter((r) => r.provider === provider && r.code === 'bad_signature');
    // Refusals before a verified webhook are history: that webhook proves the secret in the relay is right now.
    const burst = bad.filter((r) => r.at > now - policy.burstWindowMs && r.at > accepted).length;
    const lastBad = Math.max(0, ...bad.map((r) => r.at));
    const key = alarmKey('webhook_bad_signatures', provider);
    const stillBad = open.has(key) && lastBad > accepted && now - lastBad < policy.quietToClearMs;
    if (burst >= policy.badSignatureBurst || stillBad) {
      alarms.push({
        key,
        code: 'webhook_bad_signatures',
        provider,
        message: `${name}: ${bad.length} webhook(s) refused for a bad signature (${burst} in the last minute). The signing secret in the relay does not match the provider's; after a rotation paste the new one (during the switch, old and new comma separated). Payments are not being confirmed until this is fixed.`,
      });
    }

    const refused = facts.rejections.filter((r) => r.provider === provider && r.code !== 'bad_signature' && r.at > now - policy.retriesWindowMs);
    const retriesKey = alarmKey('webhook_retries', provider);
    if (refused.length >= policy.retriesThreshold || (open.has(retriesKey) && refused.length > 0)) {
      const top = mostCommon(refused.map((r) => r.code));
      alarms.push({
        key: retriesKey,
        code: 'webhook_retries',
        provider,
        message: `${name}: ${refused.length} webhook deliveries refused in the last ${Math.round(policy.retriesWindowMs / 60_000)} minutes (mostly ${top}); the provider keeps retrying them. ${adviceFor(top)}`,
      });
    }

    const usual = policy.usualWebhookMs[provider as ProviderId] ?? policy.usualWebhookMs.default;
    const silent = facts.silentSessions.filter((s) => s.provider === provider && s.createdAt <= now - usual);
    const oldest = Math.min(...silent.map((s) => s.createdAt));
    if (silent.length >= policy.silentSessionsMin && accepted < oldest) {
      alarms.push({
        key: alarmKey('webhooks_missing', provider),
        code: 'webhooks_missing',
        provider,
        message: `${name}: ${silent.length} checkout sessions since ${new Date(oldest).toISOString()} and no webhook back from ${name} (usually within ${Math.round(usual / 60_000)} minutes). The webhook endpoint is probably not registered at ${name}, or points elsewhere (an old URL, a staging relay): register <relay URL>/webhooks/${provider} in the ${name} dashboard.`,
      });
    }
  }

  if (facts.deadLetters > 0) {
    alarms.push({
      key: alarmKey('dead_letters', null),
      code: 'dead_letters',
      provider: null,
      message: `${facts.deadLetters} shop update(s) were given up after every retry in the last day; those orders do not show their payment status. Fix the shop connection (diagnostics: "Relay can reach this shop's REST API"), then run a reconciliation (npm run reconcile) to write them.`,
    });
  }
  return alarms;
}

function displayName(provider: string): string {
  try {
    return providerDisplayName(provider as ProviderId);
  } catch {
    return provider;
  }
}

function mostCommon(codes: string[]): string {
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'unknown';
}

function adviceFor(code: string): string {
  switch (code) {
    case 'stale_timestamp':
      return "The signatures are too old: check the relay machine's clock (NTP).";
    case 'missing_signature':
      return 'The deliveries carry no signature: check that the endpoint registered at the provider is the relay, not a proxy that strips headers.';
    case 'malformed':
      return 'The bodies are not what the relay expects: check the webhook API version set at the provider.';
    case 'verification_unavailable':
      return 'The relay could not verify them (the provider’s verification service was unreachable); they will be accepted once it answers.';
    default:
      return 'See the relay log for the reason.';
  }
}
