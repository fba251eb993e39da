/**
 * `npm run inspect -- <order>`: one order's payment timeline in the terminal: its payment sessions with the
 * provider's references, the payment log in words, and the outbox commands still pending or given up on.
 * Read-only: safe at any time, next to the running relay.
 */
import { describeTask, splitError } from '../relay/src/app/dead-letters';
import { queuedCommandsOfOrder } from '../relay/src/app/order-commands';
import { orderTimeline } from '../relay/src/app/order-timeline';
import { formatMoney } from '../relay/src/domain/money';
import { CliError, parseCommandLine, runCommand, SHOP_OPTION, when, type CommandSpec } from './lib/cli';
import { openRelayStore } from './lib/relay-store';
import { renderTable } from './lib/table';

const spec: CommandSpec = {
  name: 'inspect',
  args: '<order id>',
  summary: "Shows one WooCommerce order's payment timeline: payment sessions (provider references, amount, status,\ncreated and expiry times), the payment log in words, and outbox commands still pending or dead-lettered.",
  positionals: { min: 1, max: 1 },
  options: { shop: SHOP_OPTION },
  notes: ['Example: npm run inspect -- 1001', '         npm run inspect -- 1001 --shop alpha', 'Dead letters: npm run retry-dead -- --list'],
};

runCommand(() => {
  const { values, positionals } = parseCommandLine(spec);
  const orderId = positionals[0].replace(/^#/, '');
  const store = openRelayStore({ shop: values.shop as string | undefined });
  const { config, ops, stores } = store;
  try {
    const found = orderTimeline(stores, orderId);
    const sessions = [...(found?.sessions ?? [])].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    const timeline = { sessions, log: found?.entries ?? [], commands: queuedCommandsOfOrder(ops, orderId, sessions) };
    if (timeline.sessions.length === 0 && timeline.log.length === 0 && timeline.commands.length === 0) {
      throw new CliError(`The relay knows nothing about order ${orderId} in ${store.where}: no payment session, no payment log entry, nothing queued.\nIs it paid with another gateway, or does this relay use another database (${store.setting})?`);
    }
    const out: string[] = [`Order ${orderId} (${config.mode} mode, database ${store.where})`, ''];

    out.push(`Payment sessions (${timeline.sessions.length})`);
    out.push(
      timeline.sessions.length === 0
        ? '  none (the log below is all there is)'
        : renderTable(
            ['session', 'provider', 'provider session', 'provider payment', 'amount', 'status', 'created', 'expires'],
            timeline.sessions.map((s) => [
              s.id,
              s.provider,
              s.providerSessionId ?? '-',
              s.providerPaymentId ?? '-',
              formatMoney(s.amountMinor, s.currency) + (s.refundedMinor ? ` (${formatMoney(s.refundedMinor, s.currency)} refunded)` : ''),
              s.status + (s.disputedFrom ? ' (disputed)' : ''),
              when(s.createdAt),
              when(s.expiresAt),
            ]),
          ),
    );

    out.push('', `Payment log (${timeline.log.length} entr${timeline.log.length === 1 ? 'y' : 'ies'})`);
    for (const entry of timeline.log) out.push(`  ${when(entry.at)}  ${entry.kind.padEnd(20)}  ${entry.message}`);
    if (timeline.log.length === 0) out.push('  nothing logged');

    const pending = timeline.commands.filter((c) => c.state === 'pending');
    const dead = timeline.commands.filter((c) => c.state === 'dead');
    out.push('', `Outbox (${pending.length} pending, ${dead.length} dead-lettered)`);
    if (timeline.commands.length === 0) out.push('  nothing queued: every write for this order is done');
    else
      out.push(
        renderTable(
          ['id', 'state', 'what', 'attempts', 'next try / gave up', 'last error'],
          timeline.commands.map((c) => [
            c.id,
            c.state === 'dead' ? (c.dismissedAt ? 'dead (dismissed)' : 'dead') : 'pending',
            describeTask(c.command, c.orderKey),
            c.attempts,
            c.state === 'pending' ? when(c.nextAttemptAt) : when(c.updatedAt),
            c.lastError ? splitError(c.lastError).words : '-',
          ]),
        ),
      );
    if (dead.some((c) => !c.dismissedAt)) out.push('', `Retry: npm run retry-dead -- --id ${dead.find((c) => !c.dismissedAt)!.id}`);
    console.log(out.join('\n'));
  } finally {
    store.close();
  }
});
