import type { OrderWriteIntent } from '../../../relay/src/domain/decide';
import { planOrderWrite } from '../../../relay/src/domain/order-write-plan';
import type { PaymentStatus } from '../../../relay/src/domain/payment-status';
import { anOrder } from '../../helpers/builders';

const expected = { amountMinor: 1999, currency: 'EUR' };
const intent = (target: PaymentStatus, extra: Partial<OrderWriteIntent> = {}): OrderWriteIntent => ({ target, transactionId: 'pi_1', note: 'N.', ...extra });

function fieldsFor(target: PaymentStatus, orderStatus: string, extra: Partial<OrderWriteIntent> = {}) {
  const plan = planOrderWrite(intent(target, extra), anOrder({ status: orderStatus }), expected);
  if (!plan.ok) throw new Error(plan.error.message);
  const update = plan.value.steps.find((step) => step.kind === 'update');
  const refund = plan.value.steps.find((step) => step.kind === 'refund');
  if (refund) return 'refund record';
  if (!update) return plan.value.steps[0].kind === 'note' && plan.value.steps[0].text !== 'N.' ? 'note (left alone)' : 'note';
  return update.kind === 'update' ? JSON.stringify(update.fields) : '';
}

describe('order write plan: what is written to the live WooCommerce order', () => {
  it.each([
    ['paid', 'pending', '{"set_paid":true,"transaction_id":"pi_1"}'],
    ['paid', 'failed', '{"set_paid":true,"transaction_id":"pi_1"}'],
    // set_paid is ignored by WooCommerce on these, so the status is set explicitly.
    ['paid', 'cancelled', '{"status":"processing","transaction_id":"pi_1"}'],
    ['paid', 'on-hold', '{"status":"processing","transaction_id":"pi_1"}'],
    ['paid', 'processing', 'note'],
    ['paid', 'completed', 'note'],
    ['paid', 'refunded', 'note (left alone)'],
    ['review', 'processing', '{"status":"on-hold"}'],
    ['review', 'pending', '{"status":"on-hold"}'],
    ['review', 'completed', 'note (left alone)'],
    ['failed', 'pending', '{"status":"failed"}'],
    ['failed', 'processing', 'note (left alone)'],
    ['expired', 'pending', '{"status":"cancelled"}'],
    ['cancelled', 'pending', '{"status":"cancelled"}'],
    ['expired', 'processing', 'note (left alone)'],
    ['expired', 'completed', 'note (left alone)'],
    ['refunded', 'processing', '{"status":"refunded"}'],
    ['refunded', 'completed', 'note (left alone)'],
    ['refunded', 'refunded', 'note'],
    ['pending', 'pending', 'note'],
    ['pending', 'failed', '{"status":"pending"}'],
  ] as const)('%s on a %s order → %s', (target, orderStatus, expectation) => {
    expect(fieldsFor(target, orderStatus)).toBe(expectation);
  });

  it('a partial refund becomes a refund record on a paid order, and nothing on a cancelled one', () => {
    expect(fieldsFor('paid', 'processing', { refundMinor: 500 })).toBe('refund record');
    expect(fieldsFor('paid', 'completed', { refundMinor: 500 })).toBe('refund record');
    expect(fieldsFor('paid', 'cancelled', { refundMinor: 500 })).toBe('note (left alone)');
  });

  it('never writes to an order of another gateway', () => {
    const plan = planOrderWrite(intent('paid'), anOrder({ paymentMethod: 'bacs' }), expected);
    expect(plan).toMatchObject({ ok: false, error: { code: 'not_our_gateway' } });
  });

  it('a total or currency that differs from the session gets a note, not a status', () => {
    for (const order of [anOrder({ totalMinor: 2999 }), anOrder({ currency: 'USD' }), anOrder({ totalMinor: null })]) {
      const plan = planOrderWrite(intent('paid'), order, expected);
      expect(plan.ok && plan.value.outcome).toBe('note_only');
      expect(plan.ok && plan.value.steps).toEqual([{ kind: 'note', text: expect.stringContaining('did not change the order status') }]);
    }
  });
});

describe('order write plan: chargebacks (issue 12)', () => {
  const steps = (target: PaymentStatus, status: string, extra: Partial<OrderWriteIntent>) => {
    const plan = planOrderWrite(intent(target, extra), anOrder({ status }), expected);
    if (!plan.ok) throw new Error(plan.error.message);
    return plan.value.steps.map((step) => (step.kind === 'update' ? `update ${JSON.stringify(step.fields)}` : step.kind === 'refund' ? `refund ${step.amountMinor}` : 'note'));
  };

  it.each(['on-hold', 'processing', 'completed'])('the whole amount charged back on a %s order: only the refund record (WooCommerce then marks it refunded)', (status) => {
    expect(steps('refunded', status, { refundMinor: 1999 })).toEqual(['refund 1999', 'note']);
  });

  it('a partial chargeback that ends a dispute: back to processing, then the refund record', () => {
    expect(steps('paid', 'on-hold', { refundMinor: 500, releasesHold: true })).toEqual(['update {"status":"processing"}', 'refund 500', 'note']);
    // A partial refund during a review does not release the hold.
    expect(steps('paid', 'on-hold', { refundMinor: 500 })).toEqual(['refund 500', 'note']);
  });

  it('a chargeback on an order a person already refunded: a note, no second refund', () => {
    expect(steps('refunded', 'refunded', { refundMinor: 1999 })).toEqual(['note']);
  });
});
