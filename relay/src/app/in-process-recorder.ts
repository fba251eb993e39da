import type { EventRecorder } from '../ports/event-recorder';
import type { UnitOfWork } from '../ports/unit-of-work';
import { recordNotification } from './record-notification';
import { recordProviderEvent, type EventStores } from './record-provider-event';

/** Records webhooks on the calling thread, group-committed (in the relay, that thread is the recorder thread). */
export function createInProcessRecorder(stores: EventStores, unitOfWork: UnitOfWork, livemode: boolean): EventRecorder {
  return {
    recordEvents: (events, raw, now) =>
      unitOfWork.commitDurably(() => events.map((event) => recordProviderEvent(stores, event, raw, 'signature', livemode, now))),
    recordNotification: (provider, ref, raw, now) => unitOfWork.commitDurably(() => recordNotification(stores, provider, ref, raw, now)),
    recordRejection: (provider, code, message, now) => unitOfWork.commitDurably(() => stores.inbox.recordRejection(provider, code, message, now)),
  };
}
