/**
 * `npm run retry-dead`: puts dead-lettered outbox commands back in the queue for the running relay (all, or one
 * with --id), lists them (--list), or dismisses one (--dismiss). Each retry or dismissal is in the order's log.
 */
import { dismissDeadLetter, listDeadLetters, retryAllDeadLetters, retryDeadLetter, type DeadLetterDeps, type DeadLetterView } from '../relay/src/app/dead-letters';
import { systemClock } from '../relay/src/ports/clock';
import { CliError, parseCommandLine, runCommand, SHOP_OPTION, when, type CommandSpec } from './lib/cli';
import { openRelayStore } from './lib/relay-store';
import { renderTable } from './lib/table';

const spec: CommandSpec = {
  name: 'retry-dead',
  summary:
    'Retries outbox commands the relay gave up on (dead letters): each is queued again, due now, with a fresh\n' +
    'retry budget, and the running relay runs it. Fix the cause first (shop keys, a deleted order…). With no\n' +
    'option, every dead letter is retried.',
  options: {
    id: { type: 'string', value: 'N', description: 'retry only dead letter N' },
    list: { type: 'boolean', short: 'l', description: 'only list the dead letters' },
    dismiss: { type: 'string', value: 'N', description: 'dismiss dead letter N instead: kept for the record, never retried' },
    shop: SHOP_OPTION,
  },
  notes: ['Examples: npm run retry-dead -- --list', '          npm run retry-dead -- --id 42'],
};

runCommand(async () => {
  const { values } = parseCommandLine(spec);
  const chosen = ['id', 'list', 'dismiss'].filter((name) => values[name] !== undefined);
  if (chosen.length > 1) throw new CliError(`--${chosen.join(' and --')} do not go together.\nSee: npm run retry-dead -- --help`, 2);
  const number = (name: 'id' | 'dismiss'): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value <= 0) throw new CliError(`--${name} takes a dead letter's number (see --list), got "${String(values[name])}"`, 2);
    return value;
  };
  const store = openRelayStore({ shop: values.shop as string | undefined });
  try {
    // The dashboard's dead-letter use cases over the relay's ports: checked and changed in one transaction, so a
    // retry from here and a click on the dashboard (any relay of a fleet) retry a letter once, with one log entry.
    const deps: DeadLetterDeps = { ops: store.ops, log: store.stores.log, sessions: store.stores.sessions, unitOfWork: store.stores.unitOfWork, clock: systemClock };
    if (values.list) {
      const { total, letters } = listDeadLetters(deps, 200);
      if (total === 0) return console.log('No dead letters: every outbox command ran or is still queued.');
      console.log(`${total} dead letter(s)${total > letters.length ? `, the newest ${letters.length} shown` : ''}:`);
      console.log(table(letters));
      return;
    }
    if (values.dismiss !== undefined) {
      const dismissed = await dismissDeadLetter(deps, number('dismiss'), 'command line');
      if (!dismissed.ok) throw new CliError(dismissed.error.message);
      return console.log(`Dismissed dead letter ${dismissed.value.id} (${dismissed.value.task}): it stays on record and is not retried.`);
    }
    let retried: DeadLetterView[];
    if (values.id !== undefined) {
      const one = await retryDeadLetter(deps, number('id'), 'command line');
      if (!one.ok) throw new CliError(one.error.message);
      retried = [one.value];
    } else {
      retried = await retryAllDeadLetters(deps, 'command line');
      if (retried.length === 0 && listDeadLetters(deps, 1).total === 0) return console.log('No dead letters to retry.');
    }
    console.log(`Retried ${retried.length} dead letter(s), queued again and due now:`);
    if (retried.length > 0) console.log(table(retried));
    // Left as they were: another command of their order was being written (OpsStore.retryDead), or one died meanwhile.
    const left = values.id === undefined ? listDeadLetters(deps, 1).total : 0;
    if (left > 0) console.log(`${left} dead letter(s) left as they were (another command of their order was being written, or they died just now): run this again in a moment.`);
    console.log(store.relays(Date.now()).says);
  } finally {
    store.close();
  }
});

function table(letters: DeadLetterView[]): string {
  return renderTable(
    ['id', 'order', 'what', 'attempts', 'gave up', 'last error'],
    letters.map((l) => [l.id, l.merchantOrderId ?? '-', l.task, l.attempts, when(l.diedAt), l.lastError]),
  );
}
