import type { OrderWriteIntent } from '../../../relay/src/domain/decide';
import { EXPIRED_STILL_PAYABLE, PAID_ON_CANCELLED, planAfterUnpaidAnswer, planOrderWrite, planTrustsEarlierRead } from '../../../relay/src/domain/order-write-plan';
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
    // set_paid is ignored by WooCommerce on these, so the status is set explicitly. A cancelled order may have
    // had its stock put back on sale: the payment holds it for a person instead of reopening it.
    ['paid', 'cancelled', '{"status":"on-hold","transaction_id":"pi_1"}'],
    ['paid', 'on-hold', '{"status":"processing","transaction_id":"pi_1"}'],
    ['paid', 'processing', 'note'],
    ['paid', 'completed', 'note'],
    ['paid', 'refunded', 'note (left alone)'],
    ['review', 'processing', '{"status":"on-hold"}'],
    ['review', 'pending', '{"status":"on-hold"}'],
    ['review', 'completed', 'note (left alone)'],
    ['failed', 'pending', '{"status":"failed"}'],
    ['failed', 'processing', 'note (left alone)'],
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

  it.each(['pending', 'processing', 'on-hold', 'refunded'])('a note-only write (a refund the shop has no room for yet) on a %s order: the note, nothing else', (orderStatus) => {
    const plan = planOrderWrite(intent('paid', { noteOnly: true, refundedTotalMinor: 500 }), anOrder({ status: orderStatus }), expected);
    expect(plan).toMatchObject({ ok: true, value: { steps: [{ kind: 'note', text: 'N.' }], outcome: 'note_only' } });
  });

  describe('an expired checkout leaves the order payable', () => {
    const planFor = (orderStatus: string, cancelOnExpiry: boolean) => {
      const plan = planOrderWrite(intent('expired'), anOrder({ status: orderStatus }), expected, { cancelOnExpiry });
      if (!plan.ok) throw new Error(plan.error.message);
      const update = plan.value.steps.find((step) => step.kind === 'update');
      const note = plan.value.steps.find((step) => step.kind === 'note');
      return { fields: update?.kind === 'update' ? update.fields : null, note: note?.kind === 'note' ? note.text : '' };
    };

    it.each([
      // WooCommerce takes payment on pending and failed orders; pending is "waiting for payment".
      ['pending', null, EXPIRED_STILL_PAYABLE],
      ['failed', { status: 'pending' }, EXPIRED_STILL_PAYABLE],
      // Cancelled by the shop's hold-stock rule (or a person): not reopened, and the note does not promise payment.
      ['cancelled', null, 'N.'],
    ] as const)('by default, on a %s order: %j, note says %s', (orderStatus, fields, note) => {
      const plan = planFor(orderStatus, false);
      expect(plan.fields).toEqual(fields);
      expect(plan.note).toBe(note === 'N.' ? 'N.' : `N. ${note}`);
    });

    it('with PAYRELAY_CANCEL_ON_EXPIRY=1 the order is cancelled, and the note says why', () => {
      expect(planFor('pending', true)).toEqual({ fields: { status: 'cancelled' }, note: expect.stringContaining('PAYRELAY_CANCEL_ON_EXPIRY=1') });
      expect(planFor('failed', true).fields).toEqual({ status: 'cancelled' });
      expect(planFor('cancelled', true).fields).toBeNull();
    });

    it('never reopens an order that was paid or moved on, whatever the setting', () => {
      for (const cancelOnExpiry of [false, true]) {
        for (const status of ['processing', 'completed', 'on-hold', 'refunded']) {
          expect(planFor(status, cancelOnExpiry)).toEqual({ fields: null, note: expect.stringContaining('was left') });
        }
      }
    });
  });

  it('a partial refund becomes a refund record on a paid order, and nothing on a cancelled one', () => {
    expect(fieldsFor('paid', 'processing', { refundMinor: 500 })).toBe('refund record');
    expect(fieldsFor('paid', 'completed', { refundMinor: 500 })).toBe('refund record');
    expect(fieldsFor('paid', 'cancelled', { refundMinor: 500 })).toBe('note (left alone)');
  });

  it('money a chargeback took coming back holds the refunded order for the merchant; a plain review leaves a refunded order alone', () => {
    expect(fieldsFor('review', 'refunded', { moneyReturned: true })).toBe('{"status":"on-hold"}');
    expect(fieldsFor('review', 'on-hold', { moneyReturned: true })).toBe('note');
    expect(fieldsFor('review', 'completed', { moneyReturned: true })).toBe('note (left alone)');
    expect(fieldsFor('review', 'refunded')).toBe('note (left alone)');
  });

  describe('overtaken: a dead letter retried after a newer write of its order was done', () => {
    const overtaken = (target: PaymentStatus, status: string, extra: Partial<OrderWriteIntent> = {}) => {
      const plan = planOrderWrite(intent(target, extra), anOrder({ status }), expected, { cancelOnExpiry: false, overtaken: true });
      if (!plan.ok) throw new Error(plan.error.message);
      return plan.value;
    };

    // Each of these would be written if it were the newest (the table above): an old "paid" over a newer hold
    // or refund, an old hold over a newer payment, an old decline over a newer retry.
    it.each([
      ['paid', 'on-hold'],
      ['paid', 'pending'],
      ['review', 'processing'],
      ['failed', 'pending'],
      ['pending', 'failed'],
      ['refunded', 'processing'],
    ] as const)('%s on a %s order: no status, a note that says why', (target, status) => {
      const plan = overtaken(target, status);
      expect(plan.steps).toEqual([{ kind: 'note', text: `N. Payrelay did not change the order status: this update ran after a newer update of the order had been written (it had failed and was retried, or its event was replayed), so the order stays ${status}.` }]);
      expect(plan.outcome).toBe('note_only');
      expect(plan.summary).toBe(`order left ${status} (a newer update was written first), note added`);
    });

    it('a refund record is still added (money that moved is recorded), without a status', () => {
      expect(overtaken('paid', 'on-hold', { refundMinor: 500, releasesHold: true }).steps.map((step) => step.kind)).toEqual(['refund', 'note']);
    });

    it('another gateway\'s order or a total that differs: refused or noted, as for any write', () => {
      expect(planOrderWrite(intent('paid'), anOrder({ paymentMethod: 'bacs' }), expected, { cancelOnExpiry: false, overtaken: true })).toMatchObject({ ok: false });
      const plan = planOrderWrite(intent('paid'), anOrder({ totalMinor: 2999 }), expected, { cancelOnExpiry: false, overtaken: true });
      expect(plan.ok && plan.value.steps).toEqual([{ kind: 'note', text: expect.stringContaining('differs from the payment session') }]);
    });
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

/** Issue 10's drain: which plans may use an order read seconds ago, and what an ignored set_paid leads to. */
describe('order write plan: an earlier read, and the answer of a set_paid', () => {
  const plan = (target: PaymentStatus, status: string, extra: Partial<OrderWriteIntent> = {}) => {
    const planned = planOrderWrite(intent(target, extra), anOrder({ status }), expected);
    if (!planned.ok) throw new Error(planned.error.message);
    return planned.value;
  };

  it.each([
    // WooCommerce pays only a pending or failed order, and says in its answer what it did: guarded by the shop.
    ['paid', 'pending', true],
    ['paid', 'failed', true],
    // Notes change no status.
    ['paid', 'processing', true],
    ['paid', 'refunded', true],
    ['failed', 'completed', true],
    // A plain status write overwrites whatever the order is now: it needs the order read just before.
    ['paid', 'on-hold', false],
    ['paid', 'cancelled', false],
    ['failed', 'pending', false],
    ['review', 'processing', false],
    ['refunded', 'processing', false],
    ['expired', 'failed', false],
  ] as const)('%s on a %s order read earlier: usable %s', (target, status, usable) => {
    expect(planTrustsEarlierRead(plan(target, status))).toBe(usable);
  });

  it('a refund is checked against the refund list as it is now: never planned from an earlier read', () => {
    expect(planTrustsEarlierRead(plan('paid', 'processing', { refundMinor: 500 }))).toBe(false);
    expect(planTrustsEarlierRead(plan('refunded', 'completed', { refundMinor: 1999 }))).toBe(false);
  });

  const after = (status: string, datePaid: string | null = null) => {
    const planned = planAfterUnpaidAnswer(intent('paid'), anOrder({ status, datePaid }), expected);
    if (!planned.ok) throw new Error(planned.error.message);
    return planned.value.steps.map((step) => (step.kind === 'update' ? JSON.stringify(step.fields) : step.kind === 'note' ? step.text : step.kind));
  };

  it.each([
    // Cancelled since it was read (the hold-stock timer): held for a person, with the note saying why.
    ['cancelled', 'on hold, with the note why', ['{"status":"on-hold","transaction_id":"pi_1"}', `N. ${PAID_ON_CANCELLED}`]],
    // Put on hold since: the payment releases it.
    ['on-hold', 'processing', ['{"status":"processing","transaction_id":"pi_1"}', 'N.']],
    // Refunded by a person since: left alone, said in the note. Completed is paid already: the note only.
    ['refunded', 'left alone', [expect.stringContaining('left refunded')]],
    ['completed', 'the note only', ['N.']],
    // Still pending: the shop ignores set_paid itself (a plugin can make it), so processing is asked outright.
    ['pending', 'processing, asked outright', ['{"status":"processing","transaction_id":"pi_1"}', 'N.']],
  ])('set_paid answered with a %s order: %s', (status, _what, steps) => {
    expect(after(status)).toEqual(steps);
  });
});
