/** Small readers for untrusted JSON: a provider adds fields freely, so we read only what we use and check its type. */
export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(obj: JsonObject | undefined, key: string): string | undefined {
  const value = obj?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function int(obj: JsonObject | undefined, key: string): number | undefined {
  const value = obj?.[key];
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

export function obj(parent: JsonObject | undefined, key: string): JsonObject | undefined {
  const value = parent?.[key];
  return isObject(value) ? value : undefined;
}

/** A reference that may be an id string or an expanded object with an id (Stripe `expand`). */
export function ref(parent: JsonObject | undefined, key: string): string | undefined {
  const value = parent?.[key];
  if (typeof value === 'string' && value !== '') return value;
  return isObject(value) ? str(value, 'id') : undefined;
}

export function parseJsonObject(raw: Buffer): JsonObject | null {
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

export function bool(obj: JsonObject | undefined, key: string): boolean | undefined {
  const value = obj?.[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** Drop undefined fields, so spreading never overwrites a value with undefined. */
export function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Any finite number (PayPal's `expires_in`); `int` is for amounts, which must be safe integers. */
export function num(obj: JsonObject | undefined, key: string): number | undefined {
  const value = obj?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
