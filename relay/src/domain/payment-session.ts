import type { PaymentStatus } from './payment-status';
import type { ProviderId } from './provider-event';

export const PAYMENT_METHODS = ['card', 'bank_transfer', 'wallet', 'crypto'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type RequestedMethod = PaymentMethod | 'any';

/** The relay's record of one hosted checkout session: the provider references the mission asks us to keep. */
export interface PaymentSession {
  /** The relay's own id (`ps_…`), given to the shop and to the provider as metadata. */
  id: string;
  merchantOrderId: string;
  orderKey: string;
  provider: ProviderId;
  providerSessionId: string | null;
  providerPaymentId: string | null;
  customerEmail: string | null;
  customerCountry: string | null;
  method: RequestedMethod;
  amountMinor: number;
  currency: string;
  status: PaymentStatus;
  refundedMinor: number;
  livemode: boolean;
  checkoutUrl: string | null;
  returnUrl: string | null;
  cancelUrl: string | null;
  /** Shown to the shop's thank-you page so it can poll the status without any personal data. */
  statusToken: string;
  createdAt: number;
  expiresAt: number;
  updatedAt: number;
}
