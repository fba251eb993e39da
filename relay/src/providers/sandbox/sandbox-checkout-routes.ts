import axios from 'axios';
import express from 'express';
import type { PaymentStatus } from '../../domain/payment-status';
import type { Clock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import { renderSandboxCheckoutPage, renderSandboxMessagePage } from './sandbox-checkout-page';
import { newSandboxEventId, sandboxEventType, type SandboxEventBody } from './sandbox-event-schema';
import type { SandboxLedger, SandboxPayment } from './sandbox-ledger';
import { SANDBOX_SIGNATURE_HEADER, signSandboxEvent } from './sandbox-signature';
import { asyncRoute } from '../../http/error-handler';

/** The relay's view of a session, enough to show the page and send the shopper back. */
export interface SandboxSessionView {
  merchantOrderId: string;
  amountMinor: number;
  currency: string;
  returnUrl: string;
  cancelUrl: string;
  status: string;
  expiresAt: number;
}

export interface SandboxCheckoutDeps {
  ledger: SandboxLedger;
  secret: string;
  clock: Clock;
  /** The relay's real /webhooks/sandbox endpoint. */
  webhookUrl: string;
  lookupSession: (relaySessionId: string) => SandboxSessionView | null;
  logger?: Logger;
  /**
   * Fast-forwards an open session to its expiry through the relay's own expiry sweep (app/fast-forward-expiry.ts);
   * absent: the page offers no such button. An error message when the session could not be expired.
   */
  expireNow?: (relaySessionId: string) => Promise<string | null>;
}

const ACTIONS = ['pay', 'decline', 'review', 'abandon', 'expire_now'] as const;
type Action = (typeof ACTIONS)[number];
const DELIVERIES = ['normal', 'late', 'twice', 'out_of_order'] as const;
type Delivery = (typeof DELIVERIES)[number];
const MAX_DELAY_SECONDS = 600;

const OUTCOMES: Record<Exclude<Action, 'abandon' | 'expire_now'>, { status: PaymentStatus; reason: string }> = {
  pay: { status: 'paid', reason: 'paid with the sandbox test card' },
  decline: { status: 'failed', reason: 'card declined: insufficient funds (sandbox test card)' },
  review: { status: 'review', reason: 'sent to manual fraud review from the sandbox checkout page' },
};

/**
 * GET shows the sandbox's hosted checkout page; POST records the clicked outcome in the ledger (the sandbox's
 * "provider side"), sends the signed webhook(s) to the relay, then sends the browser back to the shop. The
 * browser's return is only UX: the relay learns the outcome from the webhook, as with a real provider.
 */
export function sandboxCheckoutRoutes(deps: SandboxCheckoutDeps): express.Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.get('/sandbox/checkout/:id', (req, res) => {
    const session = deps.lookupSession(req.params.id);
    if (!session) {
      res.status(404).type('html').send(renderSandboxMessagePage('Unknown checkout session', 'The relay does not know this sandbox session. Start again from the shop.'));
      return;
    }
    const now = deps.clock.now();
    deps.ledger.open({ relaySessionId: req.params.id, amountMinor: session.amountMinor, currency: session.currency, expiresAt: session.expiresAt }, now);
    res.set('Cache-Control', 'no-store').type('html').send(renderSandboxCheckoutPage({ relaySessionId: req.params.id, ...session, now, canExpireNow: deps.expireNow !== undefined }));
  });

  router.post('/sandbox/checkout/:id', form, asyncRoute(async (req, res) => {
    const relaySessionId = req.params.id;
    const session = deps.lookupSession(relaySessionId);
    const action = pick(ACTIONS, req.body?.action);
    const delivery = pick(DELIVERIES, req.body?.delivery ?? 'normal');
    if (!session) {
      res.status(404).type('html').send(renderSandboxMessagePage('Unknown checkout session', 'The relay does not know this sandbox session.'));
      return;
    }
    if (!action || !delivery) {
      res.status(400).type('html').send(renderSandboxMessagePage('Unknown choice', 'Choose one of the buttons on the checkout page.'));
      return;
    }
    if (action === 'expire_now') {
      const problem = deps.expireNow ? await deps.expireNow(relaySessionId) : 'this relay does not fast-forward sessions';
      if (problem) {
        res.status(409).type('html').send(renderSandboxMessagePage('Cannot expire this session', problem));
        return;
      }
      // As if the customer had left and the hour had passed: back to the shop, where the order stays payable.
      res.redirect(303, session.cancelUrl);
      return;
    }
    if (action === 'abandon') {
      // Nothing is sent: the session stays open until it expires, and the relay's expiry job finds that out.
      res.redirect(303, session.cancelUrl);
      return;
    }
    const now = deps.clock.now();
    deps.ledger.open({ relaySessionId, amountMinor: session.amountMinor, currency: session.currency, expiresAt: session.expiresAt }, now);
    const outcome = OUTCOMES[action];
    const payment = deps.ledger.record(relaySessionId, outcome, now);
    if (!payment) {
      res.status(500).type('html').send(renderSandboxMessagePage('Sandbox error', 'The sandbox could not record this payment.'));
      return;
    }
    const main = eventBody(payment, outcome.status, outcome.reason, now);
    const plan = deliveryPlan(delivery, main, payment, now);
    const send = () => deliverAll(deps, plan);
    if (delivery === 'late') {
      const delay = Math.min(Math.max(Number.parseInt(String(req.body?.delay ?? '10'), 10) || 10, 1), MAX_DELAY_SECONDS);
      // Late on purpose; unref so a pending delivery never keeps the process alive.
      setTimeout(() => void send(), delay * 1000).unref();
    } else {
      await send();
    }
    res.redirect(303, session.returnUrl);
  }));

  return router;
}

function pick<T extends string>(allowed: readonly T[], value: unknown): T | null {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

function eventBody(payment: SandboxPayment, status: PaymentStatus, reason: string | null, nowMs: number): SandboxEventBody {
  return {
    id: newSandboxEventId(),
    type: sandboxEventType(status) ?? 'payment.pending',
    session_id: payment.relaySessionId,
    payment_id: payment.paymentId,
    amount: payment.amountMinor,
    currency: payment.currency,
    ...(status === 'refunded' ? { refunded_amount: payment.refundedMinor || payment.amountMinor } : {}),
    ...(reason ? { reason } : {}),
    livemode: false,
    created: Math.floor(nowMs / 1000),
  };
}

/** The bodies to send, in order. "Twice" repeats the same event id, as a provider's retry would. */
function deliveryPlan(delivery: Delivery, main: SandboxEventBody, payment: SandboxPayment, now: number): SandboxEventBody[] {
  switch (delivery) {
    case 'normal':
    case 'late':
      return [main];
    case 'twice':
      return [main, main];
    case 'out_of_order':
      // A pending that happened earlier but arrives after the outcome: the relay must not regress.
      return [main, eventBody(payment, 'pending', 'the payment was processing', now - 5000)];
  }
}

async function deliverAll(deps: SandboxCheckoutDeps, bodies: SandboxEventBody[]): Promise<void> {
  for (const body of bodies) {
    const raw = JSON.stringify(body);
    try {
      const response = await axios.post(deps.webhookUrl, raw, {
        headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: signSandboxEvent(deps.secret, raw, deps.clock.now()) },
        timeout: 10_000,
        validateStatus: () => true,
        transformRequest: [(data: string) => data],
      });
      deps.logger?.info('sandbox webhook delivered', { eventId: body.id, type: body.type, sessionId: body.session_id, httpStatus: response.status });
    } catch (error) {
      // Like a provider whose delivery failed: the ledger keeps the truth, and reconciliation can still find it.
      deps.logger?.warn('sandbox webhook delivery failed', { eventId: body.id, sessionId: body.session_id, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
