import { randomBytes } from 'node:crypto';
import { decimalToMinor, minorToDecimal } from '../domain/money';
import { err, ok, type Result } from '../domain/result';
import type { Clock } from '../ports/clock';
import type { EmulatedNoteRecord, EmulatedOrderRecord, EmulatedRefundRecord, EmulatedShopStore } from './emulated-shop-store';
import { wooErrors, type WooErrorReply } from './woocommerce-error-bodies';

/** The statuses WooCommerce's REST schema accepts, in the order its error message lists them. */
export const WC_ORDER_STATUSES = ['auto-draft', 'pending', 'processing', 'on-hold', 'completed', 'cancelled', 'refunded', 'failed', 'checkout-draft'] as const;

/** wc_get_order_statuses() labels, used in WooCommerce's own "Order status changed from X to Y." notes. */
const STATUS_LABELS: Record<string, string> = {
  'auto-draft': 'Draft',
  pending: 'Pending payment',
  processing: 'Processing',
  'on-hold': 'On hold',
  completed: 'Completed',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
  failed: 'Failed',
  'checkout-draft': 'Draft',
};

export interface NewEmulatedOrder {
  /** Decimal string as WooCommerce sends it ("19.99"). */
  total: string;
  currency: string;
  status?: string;
  paymentMethod?: string;
  paymentMethodTitle?: string;
  transactionId?: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  country?: string;
}

/**
 * WooCommerce 8.9's order, note and refund behaviour as recorded in test/fixtures/woocommerce/README.md, over a
 * store. Shared by the demo shop and the test stand-in so both answer like the real shop. Every method that
 * writes runs in one store transaction.
 */
export class EmulatedShop {
  constructor(
    private readonly store: EmulatedShopStore,
    private readonly clock: Clock,
    /** The site address, for `_links` and `payment_url` (e.g. http://127.0.0.1:8080). */
    private readonly siteUrl: string,
  ) {}

  createOrder(input: NewEmulatedOrder): EmulatedOrderRecord {
    return this.store.transaction(() => {
      const now = this.now();
      const id = this.store.allocatePostId();
      // HPOS keeps a placeholder post per order; the id after an order is never the next order's (README: not contiguous).
      this.store.allocatePostId();
      const status = input.status ?? 'pending';
      const order: EmulatedOrderRecord = {
        id,
        status,
        currency: input.currency.toUpperCase(),
        total: normaliseDecimal(input.total, input.currency),
        paymentMethod: input.paymentMethod ?? 'payrelay',
        paymentMethodTitle: input.paymentMethodTitle ?? (input.paymentMethod && input.paymentMethod !== 'payrelay' ? input.paymentMethod : 'Payrelay'),
        transactionId: input.transactionId ?? '',
        orderKey: `wc_order_${randomKey(13)}`,
        email: input.email ?? 'shopper@example.com',
        firstName: input.firstName ?? 'Ada',
        lastName: input.lastName ?? 'Shopper',
        country: input.country ?? 'DE',
        dateCreated: now,
        dateModified: now,
        datePaid: status === 'processing' || status === 'completed' ? now : null,
        dateCompleted: status === 'completed' ? now : null,
      };
      this.store.insertOrder(order);
      return order;
    });
  }

  getOrder(id: number): EmulatedOrderRecord | null {
    return this.store.getOrder(id);
  }

  listOrders(page = 1, perPage = 10): { orders: EmulatedOrderRecord[]; total: number } {
    return { orders: this.store.listOrders(perPage, (page - 1) * perPage), total: this.store.countOrders() };
  }

  /** GET orders?include=…: only those orders (newest first, like the default order by date), ids that do not exist left out. */
  listOrdersById(ids: number[], page = 1, perPage = 10): { orders: EmulatedOrderRecord[]; total: number } {
    const found = [...new Set(ids)].map((id) => this.store.getOrder(id)).filter((order): order is EmulatedOrderRecord => order !== null);
    found.sort((a, b) => b.id - a.id);
    return { orders: found.slice((page - 1) * perPage, page * perPage), total: found.length };
  }

  /** WooCommerce lists notes newest first; notes of the same second come in id order (as recorded). */
  notes(orderId: number): EmulatedNoteRecord[] {
    return this.store.listNotes(orderId).sort((a, b) => (a.dateCreated === b.dateCreated ? a.id - b.id : a.dateCreated < b.dateCreated ? 1 : -1));
  }

  refunds(orderId: number): EmulatedRefundRecord[] {
    return this.store.listRefunds(orderId);
  }

  /** PUT orders/{id}: status, set_paid, transaction_id (the fields the relay writes). */
  updateOrder(id: number, body: Record<string, unknown>): Result<EmulatedOrderRecord, WooErrorReply> {
    const status = body.status;
    if (status !== undefined && (typeof status !== 'string' || !(WC_ORDER_STATUSES as readonly string[]).includes(status))) {
      return err(wooErrors.invalidStatus());
    }
    return this.store.transaction(() => {
      const order = this.store.getOrder(id);
      // A PUT to a missing order is a 400, not a 404 (recorded: order-update-missing-400.json).
      if (!order) return err(wooErrors.orderInvalidId(400));
      if (typeof body.transaction_id === 'string') order.transactionId = body.transaction_id;
      if (typeof status === 'string' && status !== order.status) this.changeStatus(order, status);
      // set_paid runs payment_complete(), which does nothing unless the order needs payment (pending or failed).
      if (isTrue(body.set_paid) && (order.status === 'pending' || order.status === 'failed') && (decimalToMinor(order.total, order.currency) ?? 0) > 0) {
        order.datePaid = this.now();
        this.changeStatus(order, 'processing');
      }
      order.dateModified = this.now();
      this.store.saveOrder(order);
      return ok(order);
    });
  }

  addNote(orderId: number, body: Record<string, unknown>): Result<EmulatedNoteRecord, WooErrorReply> {
    if (typeof body.note !== 'string' || body.note === '') return err(wooErrors.noteMissing());
    const note = body.note;
    return this.store.transaction(() => {
      if (!this.store.getOrder(orderId)) return err(wooErrors.noteOrderInvalidId());
      // Adding a note does not change the order's date_modified (README).
      return ok(this.store.insertNote({ orderId, note, customerNote: isTrue(body.customer_note), author: 'WooCommerce', dateCreated: this.now() }));
    });
  }

  /** POST orders/{id}/refunds. Only `api_refund: false` can succeed: no payment gateway here can refund. */
  createRefund(orderId: number, body: Record<string, unknown>): Result<EmulatedRefundRecord, WooErrorReply> {
    return this.store.transaction(() => {
      const order = this.store.getOrder(orderId);
      if (!order) return err(wooErrors.refundOrderInvalidId());
      const amountText = typeof body.amount === 'number' ? String(body.amount) : typeof body.amount === 'string' ? body.amount : '0';
      const amount = decimalToMinor(amountText, order.currency);
      if (amount !== null && amount < 0) return err(wooErrors.refundNegative());
      const remaining = this.remainingMinor(order);
      if (amount === null || amount > remaining) return err(wooErrors.refundInvalidAmount());
      if (!isFalse(body.api_refund)) return err(wooErrors.refundNoGateway());
      const refund = this.addRefund(order, amount, typeof body.reason === 'string' ? body.reason : '');
      if (remaining - amount === 0 && order.status !== 'refunded') {
        this.changeStatus(order, 'refunded');
        order.dateModified = this.now();
        this.store.saveOrder(order);
      }
      return ok(refund);
    });
  }

  /**
   * What WooCommerce's wc_create_refund() does when the gateway's process_refund answers an error: the refund
   * record it made first is deleted again (the merchant then sees the error and may click once more).
   */
  deleteRefund(orderId: number, refundId: number): void {
    this.store.transaction(() => {
      if (this.store.listRefunds(orderId).some((r) => r.id === refundId)) this.store.deleteRefund(refundId);
    });
  }

  /** What is left to refund, in minor units. */
  remainingMinor(order: EmulatedOrderRecord): number {
    const total = decimalToMinor(order.total, order.currency) ?? 0;
    const refunded = this.store.listRefunds(order.id).reduce((sum, r) => sum + (decimalToMinor(r.amount, order.currency) ?? 0), 0);
    return total - refunded;
  }

  /** Mutates `order`; the caller saves it. Adds WooCommerce's own note, as every status change does. */
  private changeStatus(order: EmulatedOrderRecord, to: string): void {
    const from = order.status;
    order.status = to;
    const now = this.now();
    if ((to === 'processing' || to === 'completed') && !order.datePaid) order.datePaid = now;
    if (to === 'completed' && !order.dateCompleted) order.dateCompleted = now;
    this.store.insertNote({
      orderId: order.id,
      note: `Order status changed from ${STATUS_LABELS[from] ?? from} to ${STATUS_LABELS[to] ?? to}.`,
      customerNote: false,
      author: 'WooCommerce',
      dateCreated: now,
    });
    if (to === 'refunded') {
      // wc_order_fully_refunded(): the shop refunds what is left by itself and says so in a note.
      const remaining = this.remainingMinor(order);
      if (remaining > 0) {
        this.addRefund(order, remaining, 'Order fully refunded.');
        this.store.insertNote({
          orderId: order.id,
          note: 'Order status set to refunded. To return funds to the customer you will need to issue a refund through your payment gateway.',
          customerNote: false,
          author: 'WooCommerce',
          dateCreated: now,
        });
      }
    }
  }

  private addRefund(order: EmulatedOrderRecord, amountMinor: number, reason: string): EmulatedRefundRecord {
    const refund: EmulatedRefundRecord = {
      id: this.store.allocatePostId(),
      orderId: order.id,
      amount: minorToDecimal(amountMinor, order.currency),
      reason,
      refundedPayment: false,
      dateCreated: this.now(),
    };
    this.store.insertRefund(refund);
    return refund;
  }

  orderJson(order: EmulatedOrderRecord): Record<string, unknown> {
    const base = this.siteUrl.replace(/\/+$/, '');
    const refunds = this.store.listRefunds(order.id);
    const paid = order.datePaid !== null;
    const zero = minorToDecimal(0, order.currency);
    return {
      id: order.id,
      parent_id: 0,
      status: order.status,
      currency: order.currency,
      version: '8.9.1',
      prices_include_tax: false,
      date_created: order.dateCreated,
      date_modified: order.dateModified,
      discount_total: zero,
      discount_tax: zero,
      shipping_total: zero,
      shipping_tax: zero,
      cart_tax: zero,
      total: order.total,
      total_tax: zero,
      customer_id: 0,
      order_key: order.orderKey,
      billing: {
        first_name: order.firstName, last_name: order.lastName, company: '', address_1: '', address_2: '', city: '', state: '',
        postcode: '', country: order.country, email: order.email, phone: '',
      },
      shipping: { first_name: '', last_name: '', company: '', address_1: '', address_2: '', city: '', state: '', postcode: '', country: '', phone: '' },
      payment_method: order.paymentMethod,
      payment_method_title: order.paymentMethodTitle,
      transaction_id: order.transactionId,
      customer_ip_address: '',
      customer_user_agent: '',
      created_via: 'rest-api',
      customer_note: '',
      date_completed: order.dateCompleted,
      date_paid: order.datePaid,
      cart_hash: '',
      number: String(order.id),
      meta_data: [],
      line_items: [
        {
          id: order.id * 10 + 1, name: 'Demo item', product_id: 10, variation_id: 0, quantity: 1, tax_class: '', subtotal: order.total,
          subtotal_tax: zero, total: order.total, total_tax: zero, taxes: [], meta_data: [], sku: 'DEMO-1', price: Number(order.total),
          image: { id: '', src: '' }, parent_name: null,
        },
      ],
      tax_lines: [],
      shipping_lines: [],
      fee_lines: [],
      coupon_lines: [],
      refunds: refunds.map((r) => ({ id: r.id, reason: r.reason, total: `-${r.amount}` })),
      payment_url: `${base}/checkout/order-pay/${order.id}/?pay_for_order=true&key=${order.orderKey}`,
      is_editable: order.status === 'pending' || order.status === 'on-hold' || order.status === 'auto-draft' || order.status === 'checkout-draft',
      needs_payment: order.status === 'pending' || order.status === 'failed',
      needs_processing: true,
      date_created_gmt: order.dateCreated,
      date_modified_gmt: order.dateModified,
      date_completed_gmt: order.dateCompleted,
      date_paid_gmt: paid ? order.datePaid : null,
      currency_symbol: currencySymbol(order.currency),
      _links: {
        self: [{ href: `${base}/wp-json/wc/v3/orders/${order.id}` }],
        collection: [{ href: `${base}/wp-json/wc/v3/orders` }],
      },
    };
  }

  noteJson(note: EmulatedNoteRecord): Record<string, unknown> {
    const base = this.siteUrl.replace(/\/+$/, '');
    return {
      id: note.id,
      author: note.author,
      date_created: note.dateCreated,
      date_created_gmt: note.dateCreated,
      note: note.note,
      customer_note: note.customerNote,
      _links: {
        self: [{ href: `${base}/wp-json/wc/v3/orders/${note.orderId}/notes/${note.id}` }],
        collection: [{ href: `${base}/wp-json/wc/v3/orders/${note.orderId}/notes` }],
        up: [{ href: `${base}/wp-json/wc/v3/orders/${note.orderId}` }],
      },
    };
  }

  refundJson(refund: EmulatedRefundRecord): Record<string, unknown> {
    const base = this.siteUrl.replace(/\/+$/, '');
    return {
      id: refund.id,
      date_created: refund.dateCreated,
      date_created_gmt: refund.dateCreated,
      amount: refund.amount,
      reason: refund.reason,
      refunded_by: 1,
      refunded_payment: refund.refundedPayment,
      meta_data: [],
      line_items: [],
      shipping_lines: [],
      tax_lines: [],
      fee_lines: [],
      _links: {
        self: [{ href: `${base}/wp-json/wc/v3/orders/${refund.orderId}/refunds/${refund.id}` }],
        collection: [{ href: `${base}/wp-json/wc/v3/orders/${refund.orderId}/refunds` }],
        up: [{ href: `${base}/wp-json/wc/v3/orders/${refund.orderId}` }],
      },
    };
  }

  /** WooCommerce's `date_*` format: site-local time without zone or milliseconds (the emulated site runs on UTC). */
  private now(): string {
    return new Date(this.clock.now()).toISOString().slice(0, 19);
  }
}

/** WP REST coerces booleans from JSON true/false and the strings "true"/"false", "1"/"0". */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}
function isFalse(value: unknown): boolean {
  return value === false || value === 'false' || value === '0' || value === 0;
}

function normaliseDecimal(total: string, currency: string): string {
  const minor = decimalToMinor(total, currency);
  if (minor === null) throw new Error(`not a ${currency} amount: ${total}`);
  return minorToDecimal(minor, currency);
}

function currencySymbol(currency: string): string {
  const symbols: Record<string, string> = { EUR: '€', USD: '$', GBP: '£', JPY: '¥', CHF: 'CHF', SEK: 'kr', PLN: 'zł' };
  return symbols[currency] ?? currency;
}

/** Order keys look like `wc_order_9HaWAJfwIEcpX`: letters and digits. */
function randomKey(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}
