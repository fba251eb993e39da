import { formatMoney } from '../domain/money';
import { assertNever } from '../domain/payment-status';
import { providerDisplayName } from '../domain/provider-names';
import { err, ok, type Result } from '../domain/result';
import type { Clock } from '../ports/clock';
import type { DeadLetter, OpsStore } from '../ports/ops-store';
import type { OutboxCommand } from '../ports/outbox-store';
import type { PaymentLog } from '../ports/payment-log';
import type { SessionStore } from '../ports/session-store';
import type { UnitOfWork } from '../ports/unit-of-work';

/**
 * Dead letters by hand: outbox commands the worker gave up on, listed for a person, who retries them (the cause
 * is fixed) or dismisses them (dealt with some other way). Used by the dashboard and `npm run retry-dead`. The
 * worker of the running relay does the retried work; nothing here talks to the shop or a provider.
 */
export interface DeadLetterDeps {
  ops: OpsStore;
  log: PaymentLog;
  /** For the order a provider-side command belongs to (its queue key is the provider's reference). */
  sessions: Pick<SessionStore, 'get'>;
  unitOfWork: UnitOfWork;
  clock: Clock;
}

export interface DeadLetterView {
  id: number;
  /** The WooCommerce order it was for, when known. */
  merchantOrderId: string | null;
  kind: OutboxCommand['kind'];
  /** What the command was to do, in words ("mark shop order 1001 paid"). */
  task: string;
  attempts: number;
  /** The last error without its code, as a sentence ("WooCommerce answered 401 …"). */
  lastError: string;
  /** The failure's stable code (`http_401`, `woocommerce_rest_cannot_edit`, …), or null when none was recorded. */
  errorCode: string | null;
  queuedAt: number;
  diedAt: number;
  dismissedAt: number | null;
}

export type DeadLetterProblem =
  | { code: 'not_found'; message: string }
  | { code: 'not_dead'; message: string }
  | { code: 'dismissed'; message: string }
  /** Another command of its order is running right now: retried, it would run beside it (see OpsStore.retryDead). */
  | { code: 'order_busy'; message: string; commandId: number };

/** Who acted, for the payment log ("retried from the dashboard"). */
export type DeadLetterActor = 'dashboard' | 'command line';

/** The dead letters nobody dismissed, newest first, and how many there are in all (the list stops at `limit`). */
export function listDeadLetters(deps: Pick<DeadLetterDeps, 'ops' | 'sessions'>, limit = 100): { total: number; letters: DeadLetterView[] } {
  return { total: deps.ops.deadLetterCount(), letters: deps.ops.deadLetters(limit).map((letter) => viewOf(deps, letter)) };
}

/** One dead letter, dismissed or not (for a detail page); null when that id is not a dead letter. */
export function getDeadLetter(deps: Pick<DeadLetterDeps, 'ops' | 'sessions'>, id: number): DeadLetterView | null {
  const letter = deps.ops.deadLetter(id);
  return letter ? viewOf(deps, letter) : null;
}

/**
 * Makes one dead letter pending again, due now, with a fresh retry budget; the running relay's worker picks it up.
 * It still counts as having run once, so the worker looks for its own note or refund before writing again. It
 * runs before what its order queued after it died, as they were queued; refused while one of those is running
 * (`order_busy`: try again in a moment). Retried after a newer status write of its order was done, it writes
 * its note and refund record but not its older status (execute-outbox-command.ts).
 */
export async function retryDeadLetter(deps: DeadLetterDeps, id: number, actor: DeadLetterActor): Promise<Result<DeadLetterView, DeadLetterProblem>> {
  return act(deps, id, actor, 'retry');
}

/**
 * Every undismissed dead letter back in the queue, oldest first (orders keep their order); the ones retried. A
 * letter whose order has a command running right now is left as it is (a later retry all takes it).
 */
export async function retryAllDeadLetters(deps: DeadLetterDeps, actor: DeadLetterActor): Promise<DeadLetterView[]> {
  return deps.unitOfWork.commitDurably(() => {
    const now = deps.clock.now();
    const letters = deps.ops.deadLetters(deps.ops.deadLetterCount()).reverse();
    return letters.filter((letter) => deps.ops.retryDead(letter.id, now).kind === 'retried').map((letter) => logged(deps, viewOf(deps, letter), actor, 'retry', now));
  });
}

/** Marks a dead letter as dealt with: kept as it is for the audit, left out of lists, counts and the alarm. */
export async function dismissDeadLetter(deps: DeadLetterDeps, id: number, actor: DeadLetterActor): Promise<Result<DeadLetterView, DeadLetterProblem>> {
  return act(deps, id, actor, 'dismiss');
}

async function act(deps: DeadLetterDeps, id: number, actor: DeadLetterActor, action: 'retry' | 'dismiss'): Promise<Result<DeadLetterView, DeadLetterProblem>> {
  // Checked and changed in one transaction: two people clicking at once retry it once.
  return deps.unitOfWork.commitDurably((): Result<DeadLetterView, DeadLetterProblem> => {
    const letter = deps.ops.deadLetter(id);
    if (!letter) return err({ code: 'not_found', message: `Outbox command ${id} is not a dead letter (no such command, or it was retried and is queued or done).` });
    if (letter.dismissedAt !== null) {
      return err({ code: 'dismissed', message: `Dead letter ${id} was dismissed on ${new Date(letter.dismissedAt).toISOString()}; it stays as it was.` });
    }
    const now = deps.clock.now();
    const view = viewOf(deps, letter);
    const changedMeanwhile = { code: 'not_dead' as const, message: `Dead letter ${id} changed meanwhile; list the dead letters again.` };
    if (action === 'retry') {
      const retried = deps.ops.retryDead(id, now);
      if (retried.kind === 'not_dead') return err(changedMeanwhile);
      if (retried.kind === 'order_busy') {
        const order = view.merchantOrderId ? `Order ${view.merchantOrderId}` : 'Its order';
        return err({
          code: 'order_busy',
          commandId: retried.commandId,
          message: `${order} is being written right now by outbox command ${retried.commandId}; dead letter ${id} was not retried, so that the two do not write the order at once. Retry it in a moment.`,
        });
      }
    } else if (!deps.ops.dismissDead(id, now)) return err(changedMeanwhile);
    return ok(logged(deps, view, actor, action, now));
  });
}

function logged(deps: DeadLetterDeps, view: DeadLetterView, actor: DeadLetterActor, action: 'retry' | 'dismiss', now: number): DeadLetterView {
  const message =
    action === 'retry'
      ? `Dead letter ${view.id} (${view.task}) retried from the ${actor}; the relay runs it again now. It had stopped after ${view.attempts} attempt(s): ${view.lastError}`
      : `Dead letter ${view.id} (${view.task}) dismissed from the ${actor}: it will not be retried. It had stopped after ${view.attempts} attempt(s): ${view.lastError}`;
  deps.log.append({
    at: now,
    merchantOrderId: view.merchantOrderId,
    sessionId: null,
    provider: null,
    kind: 'dead_letter',
    message,
    data: { outboxId: view.id, action, actor, commandKind: view.kind, code: view.errorCode },
  });
  return action === 'dismiss' ? { ...view, dismissedAt: now } : view;
}

function viewOf(deps: Pick<DeadLetterDeps, 'sessions'>, letter: DeadLetter): DeadLetterView {
  const { code, words } = splitError(letter.lastError);
  return {
    id: letter.id,
    merchantOrderId: orderOf(deps, letter),
    kind: letter.kind,
    task: describeTask(letter.command, letter.orderKey),
    attempts: letter.attempts,
    lastError: words,
    errorCode: code,
    queuedAt: letter.createdAt,
    diedAt: letter.updatedAt,
    dismissedAt: letter.dismissedAt,
  };
}

/** The same rule as the worker's payment log: shop commands are queued by order id, provider ones by reference. */
function orderOf(deps: Pick<DeadLetterDeps, 'sessions'>, letter: DeadLetter): string | null {
  const command = letter.command;
  switch (command.kind) {
    case 'order_write':
    case 'order_note':
      return letter.orderKey;
    case 'fetch_status':
      return command.merchantOrderId;
    case 'expire_at_provider':
    case 'capture_at_provider':
      return deps.sessions.get(command.sessionId)?.merchantOrderId ?? null;
    default:
      return assertNever(command);
  }
}

export function describeTask(command: OutboxCommand, orderKey: string): string {
  switch (command.kind) {
    case 'order_write': {
      const refund = command.intent.refundMinor ? ` and record a refund of ${formatMoney(command.intent.refundMinor, command.expected.currency)}` : '';
      return `mark shop order ${orderKey} ${command.intent.target}${refund}`;
    }
    case 'order_note':
      return `add a note to shop order ${orderKey}`;
    case 'fetch_status':
      return `ask ${providerDisplayName(command.provider)} for the status of payment ${command.providerPaymentRef}`;
    case 'expire_at_provider':
      return `close session ${command.providerSessionId} at ${providerDisplayName(command.provider)}`;
    case 'capture_at_provider':
      return `capture approved payment ${command.providerSessionId} at ${providerDisplayName(command.provider)}`;
    default:
      return assertNever(command);
  }
}

/** The worker records `code: message`; codes carry no ": ", messages are sentences. */
export function splitError(lastError: string | null): { code: string | null; words: string } {
  if (!lastError) return { code: null, words: 'no error was recorded' };
  const at = lastError.indexOf(': ');
  if (at <= 0 || /\s/.test(lastError.slice(0, at))) return { code: null, words: lastError };
  return { code: lastError.slice(0, at), words: lastError.slice(at + 2) };
}
