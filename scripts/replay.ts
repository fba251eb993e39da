/**
 * `npm run replay -- <event id>`: re-applies a stored event's shop write. The running relay's worker does the
 * writing (two processes never write to one order); it first looks for the note the write carries, so replaying
 * an event that was applied writes nothing new.
 */
import { replayEvent } from '../relay/src/app/replay-event';
import { systemClock } from '../relay/src/ports/clock';
import type { OpsStore, StoredEvent } from '../relay/src/ports/ops-store';
import { CliError, parseCommandLine, runCommand, SHOP_OPTION, when, type CommandSpec } from './lib/cli';
import { openRelayStore } from './lib/relay-store';

const spec: CommandSpec = {
  name: 'replay',
  args: '<event id>',
  summary:
    "Re-applies a stored webhook event's shop write (order status, note, refund record) by queueing its outbox\n" +
    'commands again for the running relay. The relay looks for the note the write carries before writing, so an\n' +
    'event that was applied writes nothing new; one whose note was deleted in the shop is written again.',
  positionals: { min: 1, max: 1 },
  options: {
    provider: { type: 'string', short: 'p', value: 'ID', description: 'the provider, when two providers used the same event id' },
    wait: { type: 'string', short: 'w', value: 'SECONDS', description: 'wait this long for the relay to apply it (default 30; 0: do not wait)' },
    shop: SHOP_OPTION,
  },
  notes: [
    'The event id is the provider\'s (evt_…, as the payment log and `npm run inspect` show it); a plain number that is',
    'no provider\'s event id is taken as the inbox row number.',
    'Example: npm run replay -- evt_1PqX2b',
  ],
};

runCommand(async () => {
  const { values, positionals } = parseCommandLine(spec);
  const waitSeconds = values.wait === undefined ? 30 : Number(values.wait);
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new CliError(`--wait takes a number of seconds, got "${String(values.wait)}"`, 2);
  const store = openRelayStore({ shop: values.shop as string | undefined });
  const { ops, stores } = store;
  try {
    const event = findEvent(ops, positionals[0], values.provider as string | undefined);
    // The relay's own use case over its own ports: the dashboard's Replay does exactly this.
    const outcome = await replayEvent({ ops, log: stores.log, unitOfWork: stores.unitOfWork, clock: systemClock }, event, 'command line');
    const what = `Event ${event.eventId} (${event.provider}, ${event.eventType}, received ${when(event.receivedAt)}${event.merchantOrderId ? `, order ${event.merchantOrderId}` : ''})`;
    switch (outcome.kind) {
      case 'nothing_to_replay':
        console.log(`${what}: nothing to replay: ${outcome.why}.`);
        return;
      case 'still_queued':
        console.log(`${what}: its shop write is still queued (outbox ${outcome.pending.join(', ')}); the relay applies it, a replay would only add a copy. See: npm run inspect -- ${event.merchantOrderId ?? '<order>'}`);
        return;
      case 'dead_letter':
        throw new CliError(`${what}: its shop write was given up on (dead letter ${outcome.dead.join(', ')}). Fix the cause, then: npm run retry-dead -- --id ${outcome.dead[0]}`);
      case 'queued':
        break;
    }
    console.log(`${what}: shop write queued again as outbox ${outcome.copies.map((c) => `${c.id} (copy of ${c.of})`).join(', ')}.`);
    const relay = store.relays(Date.now());
    console.log(relay.says);
    if (!relay.running || waitSeconds === 0) return;
    const outbox = stores.outbox;
    const until = Date.now() + waitSeconds * 1000;
    // A person waits on this, not a test: polling the store is the only line to another process's worker.
    for (;;) {
      const states = outcome.copies.map((copy) => ({ id: copy.id, ...outbox.state(copy.id)! }));
      if (states.every((s) => s.state !== 'pending')) {
        for (const s of states) {
          console.log(s.state === 'done' ? `outbox ${s.id}: done (anything the shop already had was not written again)` : `outbox ${s.id}: gave up: ${s.lastError}. See: npm run retry-dead -- --list`);
        }
        if (states.some((s) => s.state === 'dead')) process.exitCode = 1;
        return;
      }
      if (Date.now() > until) {
        console.log(`Not applied within ${waitSeconds} s (the shop may be slow or paused); it stays queued. See: npm run inspect -- ${event.merchantOrderId ?? '<order>'}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    store.close();
  }
});

function findEvent(ops: OpsStore, id: string, provider: string | undefined): StoredEvent {
  const matches = ops.storedEventsByEventId(id).filter((event) => !provider || event.provider === provider);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new CliError(`Event id ${id} was sent by ${matches.map((m) => m.provider).join(' and ')}: say which with --provider.`, 2);
  if (/^\d+$/.test(id)) {
    const row = ops.storedEvent(Number(id));
    if (row && (!provider || row.provider === provider)) return row;
  }
  throw new CliError(`No stored event ${id}${provider ? ` from ${provider}` : ''}: it never arrived, was refused (refused ones are not stored), or was pruned (npm run prune keeps PAYRELAY_RETENTION_DAYS).`);
}
