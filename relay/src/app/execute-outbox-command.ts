import { refMarker } from '../domain/decide';
import { NOTE_ADDED, NOTE_ALREADY_THERE, planAfterUnpaidAnswer, planOrderWrite, planTrustsEarlierRead } from '../domain/order-write-plan';
import { assertNever } from '../domain/payment-status';
import type { ProviderId } from '../domain/provider-event';
import { providerDisplayName } from '../domain/provider-names';
import type { Clock } from '../ports/clock';
import type { GatewayFailure, LiveOrder, OrderGateway } from '../ports/order-gateway';
import type { OutboxCommand, OutboxItem } from '../ports/outbox-store';
import type { PaymentProvider, ProviderFailure } from '../ports/payment-provider';
import type { UnitOfWork } from '../ports/unit-of-work';
import { usableRead, type EarlierRead } from './earlier-read';
import type { EventStores } from './record-provider-event';
import { askProvider, recordSnapshot } from './refresh-from-provider';

export interface CommandDeps {
  gateway: OrderGateway;
  providers: ReadonlyMap<ProviderId, PaymentProvider>;
  stores: EventStores;
  unitOfWork: UnitOfWork;
  clock: Clock;
  livemode: boolean;
  /** PAYRELAY_CANCEL_ON_EXPIRY: an expired checkout cancels the order instead of leaving it payable. */
  cancelOnExpiry?: boolean;
}

export type CommandResult = { ok: true; summary: string } | { ok: false; error: GatewayFailure };

/** A command whose worker no longer holds it stops before its next write: another worker has it (or may take it). */
export const CLAIM_LOST: GatewayFailure = { kind: 'retryable', code: 'claim_lost', message: 'this worker no longer holds the command (its lease ran out): it writes nothing more' };

/** Is the command still this worker's? Asked right before each write to the shop or a provider. */
export type ClaimCheck = () => boolean;

/**
 * Carries out one outbox command. `item.attempts` counts earlier attempts: when one may have reached the shop
 * (a timeout after the request was sent, a crash before it was marked done), the shop is checked for the
 * note and refund this command writes before writing them again. `earlier` is the order as the worker's batch
 * read showed it, for an order write that then needs no read of its own (when its plan allows).
 */
export async function executeOutboxCommand(
  deps: CommandDeps,
  item: OutboxItem,
  stillClaimed: ClaimCheck = () => true,
  earlier: EarlierRead | null = null,
): Promise<CommandResult> {
  const command = item.command;
  const mayHaveRun = item.attempts > 0;
  switch (command.kind) {
    case 'order_write':
      return writeOrder(deps, item, command, mayHaveRun, stillClaimed, earlier);
    case 'order_note':
      return addNoteOnce(deps.gateway, item.orderKey, command.text, command.ref, mayHaveRun, stillClaimed).then((result) =>
        result.ok ? { ok: true, summary: 'note added' } : result,
      );
    case 'fetch_status':
      return fetchStatus(deps, command.provider, command.providerPaymentRef);
    case 'expire_at_provider': {
      const provider = deps.providers.get(command.provider);
      if (!provider) return { ok: false, error: { kind: 'permanent', code: 'provider_not_configured', message: `${command.provider} is no longer configured` } };
      if (!stillClaimed()) return { ok: false, error: CLAIM_LOST };
      const result = await provider.expireCheckout({ providerSessionId: command.providerSessionId });
      return result.ok
        ? { ok: true, summary: `session ${command.providerSessionId} closed at ${providerDisplayName(command.provider)}` }
        : { ok: false, error: fromProviderFailure(result.error) };
    }
    case 'capture_at_provider':
      return captureAtProvider(deps, command, stillClaimed);
    default:
      return assertNever(command);
  }
}

/** Capture, then record PayPal's answer like a fetched status (the capture webhook that follows is a duplicate state). */
async function captureAtProvider(deps: CommandDeps, command: Extract<OutboxCommand, { kind: 'capture_at_provider' }>, stillClaimed: ClaimCheck): Promise<CommandResult> {
  const provider = deps.providers.get(command.provider);
  if (!provider?.capture) return { ok: false, error: { kind: 'permanent', code: 'provider_not_configured', message: `${command.provider} is not configured to capture payments` } };
  if (!stillClaimed()) return { ok: false, error: CLAIM_LOST };
  const captured = await provider.capture({ providerSessionId: command.providerSessionId, relaySessionId: command.sessionId });
  if (!captured.ok) return { ok: false, error: fromProviderFailure(captured.error) };
  // Never capture again because of the capture's own answer (an order still APPROVED would loop).
  const outcome = recordSnapshot(deps, { ...captured.value.event, awaitingCapture: false }, command.providerSessionId, command.sessionId);
  return { ok: true, summary: `payment ${command.providerSessionId} captured at ${providerDisplayName(command.provider)}: ${captured.value.event.status} (${outcome.outcome})` };
}

async function writeOrder(
  deps: CommandDeps,
  item: OutboxItem,
  command: Extract<OutboxCommand, { kind: 'order_write' }>,
  mayHaveRun: boolean,
  stillClaimed: ClaimCheck,
  earlier: EarlierRead | null,
): Promise<CommandResult> {
  const orderId = item.orderKey;
  // A dead letter retried, or a replay's copy of an older event, after a newer write of its order was done: the
  // live order cannot tell a newer event's status (a hold, a refund) from an older one's, so the plan must be told.
  // Only a command that ran before can be one (a copy counts as having run).
  const overtaken = mayHaveRun && deps.stores.outbox.newerWriteDone(item.id) !== null;
  const options = { cancelOnExpiry: deps.cancelOnExpiry ?? false, overtaken };
  const planFor = (live: LiveOrder) => planOrderWrite(command.intent, live, command.expected, options);
  // Decided again against the order as it is now: a person may have changed it since the event arrived. The
  // batch read of a moment ago does for a plan WooCommerce guards itself; any other plan reads the order first.
  const young = usableRead(earlier, deps.clock.now());
  const fromEarlier = young ? planFor(young) : null;
  let order: LiveOrder;
  let plan: ReturnType<typeof planFor>;
  if (young && fromEarlier?.ok && planTrustsEarlierRead(fromEarlier.value)) {
    order = young;
    plan = fromEarlier;
  } else {
    const read = await deps.gateway.getOrder(orderId);
    if (!read.ok) return read;
    order = read.value;
    plan = planFor(order);
  }
  if (!plan.ok) return { ok: false, error: { kind: 'permanent', code: plan.error.code, message: plan.error.message } };

  const steps = [...plan.value.steps];
  let summary = plan.value.summary;
  let summaryIfRefundThere = plan.value.summaryIfRefundThere;
  let replanned = false;
  for (let step = steps.shift(); step; step = steps.shift()) {
    if (step.kind === 'update') {
      if (!stillClaimed()) return { ok: false, error: CLAIM_LOST };
      const updated = await deps.gateway.updateOrder(orderId, step.fields);
      if (!updated.ok) return updated;
      // WooCommerce silently ignores set_paid unless the order is pending or failed: check the answer, and plan
      // what is left against it (it is the order as it is now), once.
      if (step.fields.set_paid && !looksPaid(updated.value) && !replanned) {
        const again = planAfterUnpaidAnswer(command.intent, updated.value, command.expected, options);
        if (!again.ok) return { ok: false, error: { kind: 'permanent', code: again.error.code, message: again.error.message } };
        replanned = true;
        order = updated.value;
        steps.splice(0, steps.length, ...again.value.steps);
        summary = again.value.summary;
        summaryIfRefundThere = again.value.summaryIfRefundThere;
      }
    } else if (step.kind === 'refund') {
      // The order read above lists its refunds: one made by an earlier attempt that lost its answer shows there.
      const ours = mayHaveRun && order.refunds.some((refund) => refund.reason.includes(refMarker(command.ref)));
      // The records of refunds asked for in the shop that were not made are on their way out: WooCommerce removes
      // each once the plugin has our error answer, which may be a moment after this write was queued.
      const leaving = leavingRefundRecords(deps, orderId, order);
      // The shop has the money back on record already (a refund made in WooCommerce, or by hand with "Refund
      // manually"): the provider's webhook is that same refund, not a second one.
      const recorded = order.refunds.filter((refund) => !leaving.has(refund.id)).reduce((sum, refund) => sum + refund.amountMinor, 0);
      if (ours || (command.intent.refundedTotalMinor !== undefined && recorded >= command.intent.refundedTotalMinor)) {
        summary = summaryIfRefundThere ?? summary;
        continue;
      }
      if (!stillClaimed()) return { ok: false, error: CLAIM_LOST };
      const refund = await deps.gateway.createRefund(orderId, step.amountMinor, command.expected.currency, step.reason);
      // No room beside a record WooCommerce is about to remove: again in a moment, not a dead letter.
      if (!refund.ok && refund.error.kind === 'permanent' && order.refunds.some((r) => leaving.has(r.id))) {
        return { ok: false, error: { kind: 'retryable', code: 'refund_record_leaving', message: `WooCommerce refused the refund record (${refund.error.message}) while it still holds the record of a refund asked for in the shop that was not made, which it removes once told so` } };
      }
      if (!refund.ok) return refund;
    } else {
      const note = await addNoteOnce(deps.gateway, orderId, step.text, command.ref, mayHaveRun, stillClaimed);
      if (!note.ok) return note;
      if (!note.added && summary.endsWith(NOTE_ADDED)) summary = `${summary.slice(0, -NOTE_ADDED.length)}${NOTE_ALREADY_THERE}`;
    }
  }
  return { ok: true, summary };
}

/** The order's refund records (WooCommerce refund ids) of refunds asked for in the shop that were not made, or not known to be. */
function leavingRefundRecords(deps: CommandDeps, orderId: string, order: LiveOrder): Set<string> {
  if (order.refunds.length === 0) return new Set();
  return new Set(deps.stores.refunds.listByOrder(orderId).filter((r) => r.state === 'refused' || r.state === 'unconfirmed').map((r) => r.shopRefundId));
}

function looksPaid(order: LiveOrder): boolean {
  return order.datePaid !== null || order.status === 'processing' || order.status === 'completed';
}


async function addNoteOnce(
  gateway: OrderGateway,
  orderId: string,
  text: string,
  ref: string,
  mayHaveRun: boolean,
  stillClaimed: ClaimCheck,
): Promise<{ ok: true; added: boolean } | { ok: false; error: GatewayFailure }> {
  if (mayHaveRun) {
    const notes = await gateway.listNotes(orderId);
    if (!notes.ok) return notes;
    if (notes.value.some((note) => note.note.includes(refMarker(ref)))) return { ok: true, added: false };
  }
  if (!stillClaimed()) return { ok: false, error: CLAIM_LOST };
  const added = await gateway.addNote(orderId, text.includes(refMarker(ref)) ? text : `${text} ${refMarker(ref)}`);
  return added.ok ? { ok: true, added: true } : added;
}

async function fetchStatus(deps: CommandDeps, providerId: ProviderId, ref: string): Promise<CommandResult> {
  const asked = await askProvider(deps, providerId, ref, null);
  if (!asked.ok) {
    return asked.error.code === 'not_configured'
      ? { ok: false, error: { kind: 'permanent', code: 'provider_not_configured', message: asked.error.message } }
      : { ok: false, error: fromProviderFailure(asked.error) };
  }
  return { ok: true, summary: `${providerDisplayName(providerId)} says ${ref} is ${asked.providerStatus} (${asked.outcome.outcome})` };
}

function fromProviderFailure(failure: ProviderFailure): GatewayFailure {
  const kind = failure.code === 'not_found' ? 'not_found' : failure.kind === 'fallback' ? 'retryable' : 'permanent';
  return { kind, code: `provider_${failure.code}`, message: failure.message, httpStatus: failure.httpStatus };
}
