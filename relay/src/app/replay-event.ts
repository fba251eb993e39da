import { noteRef } from '../domain/decide';
import { isProviderId } from '../domain/provider-event';
import type { Clock } from '../ports/clock';
import type { OpsStore, StoredEvent } from '../ports/ops-store';
import { SHOP_COMMAND_KINDS } from '../ports/outbox-store';
import type { PaymentLog } from '../ports/payment-log';
import type { UnitOfWork } from '../ports/unit-of-work';

export interface ReplayDeps {
  ops: OpsStore;
  log: PaymentLog;
  unitOfWork: UnitOfWork;
  clock: Clock;
}

export type ReplayOutcome =
  /** Copies of the event's shop writes are queued; the worker looks for their notes first, so applied ones write nothing. */
  | { kind: 'queued'; event: StoredEvent; copies: Array<{ of: number; id: number }> }
  /** Its shop write has not run to the end yet: the queue will do it, a replay would only add a second copy. */
  | { kind: 'still_queued'; event: StoredEvent; pending: number[] }
  /** Its shop write was given up on: retrying that dead letter is the way (it keeps one record of the work). */
  | { kind: 'dead_letter'; event: StoredEvent; dead: number[] }
  /** The event wrote nothing to the shop when it came (ignored, parked, a duplicate state) or its commands were pruned. */
  | { kind: 'nothing_to_replay'; event: StoredEvent; why: string };

const SHOP_KINDS: ReadonlySet<string> = new Set(SHOP_COMMAND_KINDS);

/**
 * Re-applies a stored event's shop write: the outbox commands it queued when it came are queued once more, as
 * copies counted as having run, so the worker (of the running relay) checks the order for the note or refund
 * each writes before writing it. A replay of an applied event writes nothing; one whose note a person deleted
 * writes it again. Never decides anew: what the event did is what its commands say.
 */
export async function replayEvent(deps: ReplayDeps, event: StoredEvent, actor: ReplayActor): Promise<ReplayOutcome> {
  return deps.unitOfWork.commitDurably(() => replayInTransaction(deps, event, actor));
}

export type ReplayActor = 'command line' | 'dashboard';

/**
 * The replay's work inside the caller's transaction. It looks for copies queued by another replay of the same
 * event only after lockEventReplay: two at once (a tool and a dashboard on another relay) queue one set of copies.
 */
export function replayInTransaction(deps: Omit<ReplayDeps, 'unitOfWork'>, event: StoredEvent, actor: ReplayActor): ReplayOutcome {
  const ref = isProviderId(event.provider) ? noteRef({ provider: event.provider, eventId: event.eventId }) : `${event.provider}:${event.eventId}`;
  deps.ops.lockEventReplay(ref);
  const commands = deps.ops.commandsWithRef(ref).filter((command) => SHOP_KINDS.has(command.kind));
  if (commands.length === 0) {
    return { kind: 'nothing_to_replay', event, why: `it wrote nothing to the shop when it came (outcome: ${event.outcome.replace(/_/g, ' ')}), or its finished commands were pruned` };
  }
  const pending = commands.filter((command) => command.state === 'pending').map((command) => command.id);
  if (pending.length > 0) return { kind: 'still_queued', event, pending };
  const dead = commands.filter((command) => command.state === 'dead').map((command) => command.id);
  if (dead.length > 0) return { kind: 'dead_letter', event, dead };
  const now = deps.clock.now();
  const copies = commands.map((command) => ({ of: command.id, id: deps.ops.requeueCopy(command.id, now)! }));
  deps.log.append({
    at: now,
    merchantOrderId: event.merchantOrderId,
    sessionId: event.sessionId,
    provider: event.provider,
    kind: 'event_replayed',
    message: `Event ${event.eventId} (${event.eventType}) replayed from the ${actor}: its shop write is queued again (outbox ${copies.map((c) => c.id).join(', ')}). The relay first looks for the note it wrote, so nothing already applied is written twice.`,
    data: { inboxId: event.id, eventId: event.eventId, copies },
  });
  return { kind: 'queued', event, copies };
}
