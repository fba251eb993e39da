import axios, { type AxiosInstance } from 'axios';
import { err, ok, type Result } from '../../domain/result';
import type { ProviderFailure } from '../../ports/payment-provider';
import { sameEvents, type Connected, type RemoteEndpoint, type WebhookRegistrar } from '../../ports/webhook-registrar';
import { isObject, str, type JsonObject } from '../json-reader';
import { classifyAdyenError } from './adyen-provider';
import { ADYEN_HANDLED_EVENT_CODES } from './adyen-status-map';

/** Management API version (https://docs.adyen.com/api-explorer/Management/3/overview). */
export const ADYEN_MANAGEMENT_VERSION = 'v3';

/** Adyen's HMAC keys are hex; generateHmac returns 64 hex characters (32 bytes). */
const HMAC_KEY = /^(?:[0-9A-Fa-f]{2}){16,}$/;

/**
 * The relay's standard webhook at merchant level through Adyen's Management API:
 * `GET|POST /merchants/{merchantId}/webhooks`, `PATCH …/{webhookId}`, `DELETE …/{webhookId}` and
 * `POST …/{webhookId}/generateHmac`. Adyen shows an HMAC key only when it generates one, so the relay generates one
 * when it creates the webhook, on --rotate, and when it finds its webhook without knowing its key; the key is stored
 * like Stripe's signing secret (the previous one keeps verifying for the grace period).
 *
 * Standard webhooks always carry Adyen's default event codes; `includeEventCodes` adds the others the relay
 * handles, so "exactly the events" means this list. Every other active standard webhook receives the same events:
 * those at another URL are reported (a stale staging URL), those at ours are duplicates.
 */
export class AdyenWebhookRegistrar implements WebhookRegistrar {
  readonly provider = 'adyen' as const;
  private readonly http: AxiosInstance;

  constructor(private readonly config: { apiKey: string; apiBase: string; merchantAccount: string }, timeoutMs: number) {
    const base = config.apiBase.replace(/\/+$/, '');
    this.http = axios.create({
      baseURL: /\/v\d+$/.test(base) ? base : `${base}/${ADYEN_MANAGEMENT_VERSION}`,
      timeout: timeoutMs,
      headers: { 'X-API-Key': config.apiKey, 'Content-Type': 'application/json' },
    });
  }

  async connect(url: string, options: { rotate: boolean; knownEndpointId: string | null; envSecretKnown: boolean }): Promise<Result<Connected, ProviderFailure>> {
    const events = [...ADYEN_HANDLED_EVENT_CODES];
    const path = `/merchants/${encodeURIComponent(this.config.merchantAccount)}/webhooks`;
    try {
      const all = (await this.listAll(path)).filter((w) => str(w, 'type') === 'standard');
      const endpoints = all.map(toEndpoint);
      const ours = endpoints.filter((e) => e.url === url);
      // A standard webhook gets the default event codes whatever it includes: any active one overlaps.
      const elsewhere = endpoints.filter((e) => e.url !== url && e.enabled);
      const base = { provider: this.provider, url, events, elsewhere };
      const warnings: string[] = [];
      const wanted = { type: 'standard', url, active: true, communicationFormat: 'json', description: 'Payrelay relay', additionalSettings: { includeEventCodes: events } };

      const first = ours.find((e) => e.id === options.knownEndpointId) ?? ours[0];
      if (!first) {
        const created = await this.http.post(path, wanted);
        const id = isObject(created.data) ? str(created.data, 'id') : undefined;
        if (!id) return err({ kind: 'fallback', code: 'server_error', message: 'Adyen created a webhook without an id' });
        const secret = await this.generateHmac(path, id);
        return ok({ report: { ...base, action: 'created', endpointId: id, duplicates: [], warnings }, secret });
      }
      let action: 'updated' | 'unchanged' | 'rotated' = 'unchanged';
      const raw = all.find((w) => str(w, 'id') === first.id)!;
      if (!first.enabled || !sameEvents(first.events, events) || str(raw, 'communicationFormat') !== 'json') {
        await this.http.patch(`${path}/${encodeURIComponent(first.id)}`, { active: true, communicationFormat: 'json', additionalSettings: { includeEventCodes: events } });
        action = 'updated';
      }
      let secret: string | null = null;
      const keyUnknown = first.id !== options.knownEndpointId && !options.envSecretKnown;
      if (options.rotate || keyUnknown) {
        secret = await this.generateHmac(path, first.id);
        if (options.rotate) action = 'rotated';
        else warnings.push(`webhook ${first.id} existed but its HMAC key was not known to this relay, so a new key was generated; anything else verifying this webhook with the old key must take the new one`);
      }
      return ok({ report: { ...base, action, endpointId: first.id, duplicates: ours.filter((e) => e !== first), warnings }, secret });
    } catch (error) {
      return err(classifyAdyenError(error));
    }
  }

  /** `GET …/webhooks?pageNumber=&pageSize=100` until `pagesTotal` (ListWebhooksResponse). */
  private async listAll(path: string): Promise<JsonObject[]> {
    const out: JsonObject[] = [];
    for (let page = 1; page <= 20; page += 1) {
      const response = await this.http.get(path, { params: { pageNumber: page, pageSize: 100 } });
      const body: unknown = response.data;
      const data = isObject(body) && Array.isArray(body.data) ? body.data.filter(isObject) : [];
      out.push(...data);
      const pages = isObject(body) && typeof body.pagesTotal === 'number' ? body.pagesTotal : 1;
      if (page >= pages) break;
    }
    return out;
  }

  private async generateHmac(path: string, id: string): Promise<string> {
    const response = await this.http.post(`${path}/${encodeURIComponent(id)}/generateHmac`, {});
    const key = isObject(response.data) ? str(response.data, 'hmacKey') : undefined;
    if (!key || !HMAC_KEY.test(key)) throw new Error('Adyen generated an HMAC key that is not hex');
    return key;
  }
}

/** A standard webhook as a RemoteEndpoint; `events` are the codes it includes beyond Adyen's defaults. */
function toEndpoint(webhook: JsonObject): RemoteEndpoint {
  const settings = isObject(webhook.additionalSettings) ? webhook.additionalSettings : {};
  const included = Array.isArray(settings.includeEventCodes) ? settings.includeEventCodes.filter((c): c is string => typeof c === 'string') : [];
  return {
    id: str(webhook, 'id') ?? 'unknown',
    url: str(webhook, 'url') ?? '',
    events: included,
    enabled: webhook.active === true,
  };
}
