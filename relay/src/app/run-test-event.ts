import type { Clock } from '../ports/clock';
import type { OrderGateway } from '../ports/order-gateway';
import type { OutboxStore } from '../ports/outbox-store';
import type { UnitOfWork } from '../ports/unit-of-work';
import { refMarker } from '../domain/decide';

export interface TestEventStage {
  stage: 'received' | 'stored' | 'outbox' | 'shop_written';
  ok: boolean;
  at: string;
  detail: string;
}

/**
 * The plugin's "send a test event": a note travels the real path (durable outbox → worker → the shop's REST
 * API) and we report the first stage where it stopped, so a merchant sees whether keys, URL or worker fail.
 */
export async function runTestEvent(
  deps: { outbox: OutboxStore; unitOfWork: UnitOfWork; gateway: OrderGateway; clock: Clock; poke: () => void; wait: (ms: number) => Promise<void> },
  orderId: string,
  timeoutMs = 10_000,
): Promise<{ ok: boolean; stages: TestEventStage[] }> {
  const stages: TestEventStage[] = [];
  const mark = (stage: TestEventStage['stage'], ok: boolean, detail: string): void => {
    stages.push({ stage, ok, at: new Date(deps.clock.now()).toISOString(), detail });
  };
  mark('received', true, 'the relay accepted the signed request');
  const ref = `diagnostics:test-${deps.clock.now()}`;
  let id: number;
  try {
    id = await deps.unitOfWork.commitDurably(() =>
      deps.outbox.enqueue(orderId, { kind: 'order_note', ref, sessionId: null, text: 'Payrelay test event: the relay can write to this order. Nothing else was changed.' }, deps.clock.now()),
    );
    mark('stored', true, 'the test note is queued durably in the relay');
  } catch (failure) {
    mark('stored', false, `the relay could not store it: ${String(failure)}`);
    return { ok: false, stages };
  }
  deps.poke();
  // Counted in waits, not clock time: an injected clock that does not move must not make this spin forever.
  let state = deps.outbox.state(id);
  for (let waited = 0; state?.state === 'pending' && waited < timeoutMs; waited += 100) {
    await deps.wait(100);
    state = deps.outbox.state(id);
  }
  if (state?.state !== 'done') {
    mark('outbox', false, state?.lastError ? `the worker could not write to the shop: ${state.lastError}` : `the worker has not written it yet (${state?.attempts ?? 0} attempts)`);
    return { ok: false, stages };
  }
  mark('outbox', true, 'the worker wrote the note');
  const notes = await deps.gateway.listNotes(orderId);
  const found = notes.ok && notes.value.some((note) => note.note.includes(refMarker(ref)));
  mark('shop_written', found, found ? 'the note is on the order' : notes.ok ? 'the shop answered but the note is not on the order' : notes.error.message);
  return { ok: found, stages };
}
