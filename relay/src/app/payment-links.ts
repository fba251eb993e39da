import { decideLinkOpen } from '../domain/payment-link-decision';
import { signLinkToken, verifyLinkToken } from '../domain/payment-link-token';
import type { RequestedMethod } from '../domain/payment-session';
import { providerDisplayName } from '../domain/provider-names';
import { assertNever } from '../domain/payment-status';
import { err, ok, type Result } from '../domain/result';
import type { OrderGateway } from '../ports/order-gateway';
import type { PaymentLink, PaymentLinkStore } from '../ports/payment-link-store';
import type { PaymentLogEntry } from '../ports/payment-log';
import { createSession, type CreateSessionDeps } from './create-session';

export interface PaymentLinkDeps {
  links: PaymentLinkStore;
  session: CreateSessionDeps;
  gateway: OrderGateway;
  /** Derived from the shop secret (domain/payment-link-token.ts). */
  tokenKey: Buffer;
  linkId(): string;
  /** Where customers reach the relay: links are `${publicUrl}/pay/<token>`. */
  publicUrl: string;
}

export interface SendLinkInput {
  orderId: string;
  orderKey: string;
  amountMinor: number;
  currency: string;
  customer: { email: string; country: string };
  method: RequestedMethod;
  returnUrl: string;
  cancelUrl: string;
  lifetimeDays: number;
}

export interface SentLink {
  linkId: string;
  url: string;
  expiresAt: number;
}

/** Makes a link for an order (the merchant pressed "Send payment link") and writes "sent" into the payment log. */
export function sendPaymentLink(deps: PaymentLinkDeps, input: SendLinkInput): SentLink {
  const now = deps.session.clock.now();
  const link: PaymentLink = {
    id: deps.linkId(),
    merchantOrderId: input.orderId,
    orderKey: input.orderKey,
    amountMinor: input.amountMinor,
    currency: input.currency,
    customerEmail: input.customer.email,
    customerCountry: input.customer.country,
    method: input.method,
    returnUrl: input.returnUrl,
    cancelUrl: input.cancelUrl,
    createdAt: now,
    expiresAt: now + input.lifetimeDays * 86_400_000,
    revokedAt: null,
    lastSessionId: null,
    openedCount: 0,
  };
  const token = signLinkToken(deps.tokenKey, { linkId: link.id, orderId: link.merchantOrderId, expiresAt: link.expiresAt });
  deps.session.transaction(() => {
    deps.links.insert(link);
    deps.session.log.append(logEntry(link, now, `Payment link ${link.id} sent for ${link.amountMinor} ${link.currency} (minor units), valid until ${new Date(link.expiresAt).toISOString()} (${input.lifetimeDays} days)`, { step: 'sent' }));
  });
  return { linkId: link.id, url: `${deps.publicUrl.replace(/\/+$/, '')}/pay/${token}`, expiresAt: link.expiresAt };
}

/** The merchant withdrew the link: it stops working at once (a session it already made stays payable until it expires). */
export function revokePaymentLink(deps: PaymentLinkDeps, linkId: string): PaymentLink | null {
  const now = deps.session.clock.now();
  return deps.session.transaction(() => {
    const before = deps.links.get(linkId);
    if (!before) return null;
    const after = deps.links.revoke(linkId, now);
    if (before.revokedAt === null) deps.session.log.append(logEntry(before, now, `Payment link ${linkId} revoked by the shop; opening it now says so`, { step: 'revoked' }));
    return after;
  });
}

export type OpenLinkOutcome =
  | { kind: 'redirect'; checkoutUrl: string; sessionId: string; reused: boolean }
  | { kind: 'refused'; reason: 'revoked' | 'expired' | 'already_paid' | 'order_closed'; message: string };

export type OpenLinkError =
  | { code: 'invalid_link'; message: string }
  | { code: 'shop_unreachable'; message: string }
  | { code: 'no_checkout'; message: string; temporary: boolean };

/** Opens in flight per link: a double click or two tabs reuse one session instead of racing two. */
const inFlight = new WeakMap<PaymentLinkStore, Map<string, Promise<unknown>>>();

/**
 * The customer opened the link: verify the token, refuse a revoked, expired or paid link in words, reuse the
 * session the last open made while it is still payable, or create a fresh one through the normal use case
 * (routing, fallback, breakers) and send the customer there.
 */
export function openPaymentLink(deps: PaymentLinkDeps, token: string): Promise<Result<OpenLinkOutcome, OpenLinkError>> {
  const check = verifyLinkToken(deps.tokenKey, token, deps.session.clock.now());
  if (!check.ok && check.code !== 'expired') {
    return Promise.resolve(err({ code: 'invalid_link', message: 'This payment link is not valid. Please check that it was copied completely.' }));
  }
  const linkId = check.ok ? check.claims.linkId : check.claims!.linkId;
  let queue = inFlight.get(deps.links);
  if (!queue) inFlight.set(deps.links, (queue = new Map()));
  const previous = queue.get(linkId) ?? Promise.resolve();
  const run = previous.then(() => openNow(deps, linkId));
  const settled = run.catch(() => undefined);
  queue.set(linkId, settled);
  void settled.then(() => {
    if (queue!.get(linkId) === settled) queue!.delete(linkId);
  });
  return run;
}

async function openNow(deps: PaymentLinkDeps, linkId: string): Promise<Result<OpenLinkOutcome, OpenLinkError>> {
  const { clock, sessions, log } = deps.session;
  const link = deps.links.get(linkId);
  if (!link) return err({ code: 'invalid_link', message: 'This payment link is not valid. Please contact the shop.' });
  const now = clock.now();
  const note = (message: string, data: Record<string, unknown>, sessionId: string | null = null) => log.append(logEntry(link, clock.now(), message, data, sessionId));

  // Revoked and expired need no shop call; paid needs the live order too.
  let live = { status: 'pending', datePaid: null as string | null };
  if (link.revokedAt === null && now < link.expiresAt) {
    const order = await deps.gateway.getOrder(link.merchantOrderId);
    if (!order.ok) {
      note(`Payment link ${link.id} opened, but the shop could not be asked whether order ${link.merchantOrderId} is paid (${order.error.code}: ${order.error.message}); nothing was charged`, { step: 'opened', outcome: 'shop_unreachable' });
      return err({ code: 'shop_unreachable', message: 'The shop cannot be reached right now. Please try the link again in a few minutes.' });
    }
    live = { status: order.value.status, datePaid: order.value.datePaid };
  }
  const orderSessions = sessions.listByOrder(link.merchantOrderId);
  const decision = decideLinkOpen(link, now, orderSessions, live);
  switch (decision.do) {
    case 'refuse': {
      const why = { revoked: 'it was revoked', expired: 'it has expired', already_paid: 'the order is already paid; nothing was charged', order_closed: `the order is ${live.status} in the shop` }[decision.reason];
      deps.session.transaction(() => {
        deps.links.recordOpen(link.id, null);
        note(`Payment link ${link.id} opened; the customer was told ${why}`, { step: 'opened', outcome: decision.reason });
      });
      return ok({ kind: 'refused', reason: decision.reason, message: decision.message });
    }
    case 'reuse': {
      const session = sessions.get(decision.sessionId)!;
      deps.session.transaction(() => {
        deps.links.recordOpen(link.id, session.id);
        note(`Payment link ${link.id} opened again; the customer was sent back to the open checkout session ${session.id} at ${providerDisplayName(session.provider)} (no new session)`, { step: 'opened', outcome: 'reused' }, session.id);
      });
      return ok({ kind: 'redirect', checkoutUrl: session.checkoutUrl ?? '', sessionId: session.id, reused: true });
    }
    case 'create': {
      note(`Payment link ${link.id} opened; starting a fresh checkout`, { step: 'opened', outcome: 'new_session' });
      const created = await createSession(
        deps.session,
        {
          orderId: link.merchantOrderId,
          orderKey: link.orderKey,
          amountMinor: link.amountMinor,
          currency: link.currency,
          customer: { email: link.customerEmail, country: link.customerCountry },
          method: link.method,
          returnUrl: link.returnUrl,
          cancelUrl: link.cancelUrl,
          locale: null,
        },
        null,
      );
      if (!created.ok) {
        deps.links.recordOpen(link.id, null);
        const temporary = created.error.code === 'providers_unavailable' || created.error.code === 'earlier_request_in_flight';
        return err({ code: 'no_checkout', temporary, message: temporary ? 'The payment page cannot be opened right now. Please try the link again in a few minutes.' : 'This order cannot be paid online right now. Please contact the shop.' });
      }
      deps.session.transaction(() => {
        deps.links.recordOpen(link.id, created.value.sessionId);
        note(`Payment link ${link.id}: checkout session ${created.value.sessionId} created at ${providerDisplayName(created.value.provider as never)}`, { step: 'session_created' }, created.value.sessionId);
      });
      return ok({ kind: 'redirect', checkoutUrl: created.value.checkoutUrl, sessionId: created.value.sessionId, reused: false });
    }
    default:
      return assertNever(decision);
  }
}

function logEntry(link: PaymentLink, at: number, message: string, data: Record<string, unknown>, sessionId: string | null = null): PaymentLogEntry {
  return { at, merchantOrderId: link.merchantOrderId, sessionId, provider: null, kind: 'payment_link', message, data: { linkId: link.id, ...data } };
}
