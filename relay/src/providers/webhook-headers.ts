import type { WebhookHeaders } from '../ports/payment-provider';

/** One header's values (node lower-cases names; a repeated header may arrive as an array). */
export function headerValues(headers: WebhookHeaders, name: string): string[] {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item) => item.trim() !== '');
}
