import WooCommerceRestApi from '@woocommerce/woocommerce-rest-api';
import { isAxiosError, type AxiosResponse } from 'axios';
import { decimalToMinor, minorToDecimal } from '../../domain/money';
import { err, ok, type Result } from '../../domain/result';
import type { Clock } from '../../ports/clock';
import { systemClock } from '../../ports/clock';
import type { Logger } from '../../ports/logger';
import type { GatewayFailure, LiveOrder, OrderGateway, OrderNote, OrderRefund, OrderUpdateFields } from '../../ports/order-gateway';
import { classifyWooCommerceError } from './classify-woocommerce-error';

export interface WooCommerceGatewayOptions {
  /** The WordPress site address exactly as WordPress knows it (OAuth signatures over http are checked against it). */
  url: string;
  consumerKey: string;
  consumerSecret: string;
  timeoutMs: number;
  logger?: Logger;
  clock?: Clock;
}

type Call = 'getOrder' | 'getOrders' | 'updateOrder' | 'listNotes' | 'addNote' | 'createRefund' | 'ping';

/**
 * The shop over WooCommerce's REST API (wc/v3). The client library signs with OAuth 1.0a over http and uses Basic
 * auth over https. Every expected failure comes back as a classified `GatewayFailure`, never as a throw.
 */
export function createWooCommerceGateway(opts: WooCommerceGatewayOptions): OrderGateway {
  const clock = opts.clock ?? systemClock;
  const api = new WooCommerceRestApi({
    url: opts.url,
    consumerKey: opts.consumerKey,
    consumerSecret: opts.consumerSecret,
    version: 'wc/v3',
    timeout: opts.timeoutMs,
    axiosConfig: {
      timeout: opts.timeoutMs,
      // A 3xx from a shop is almost always a redirect to https or to a login page; following it would drop or
      // re-sign nothing useful, so it surfaces as a failure with the status instead.
      maxRedirects: 0,
      // Every status comes back as a response; classification decides, not axios.
      validateStatus: () => true,
      // Transport guard: a shop that streams forever must not hold the worker past the timeout.
      maxContentLength: 5 * 1024 * 1024,
    },
  });

  async function call<T>(
    name: Call,
    orderId: string | null,
    send: () => Promise<AxiosResponse>,
    read: (body: unknown) => T | null,
    okStatuses: number[] = [200, 201],
  ): Promise<Result<T, GatewayFailure>> {
    const started = clock.now();
    let failure: GatewayFailure;
    try {
      const response = await send();
      if (okStatuses.includes(response.status)) {
        const value = read(response.data);
        if (value !== null) {
          opts.logger?.debug('woocommerce call', { call: name, orderId, status: response.status, ms: clock.now() - started });
          return ok(value);
        }
        failure = {
          kind: 'permanent',
          code: 'unexpected_response',
          message: `WooCommerce answered ${response.status} to ${name} with a body that is not what the REST API sends; is WC_URL a WooCommerce shop?`,
          httpStatus: response.status,
        };
      } else {
        failure = classifyWooCommerceError({
          status: response.status,
          body: response.data,
          headers: response.headers as Record<string, string>,
          now: clock.now(),
        });
      }
    } catch (error) {
      if (!isAxiosError(error)) throw error;
      failure = error.response
        ? classifyWooCommerceError({ status: error.response.status, body: error.response.data, headers: error.response.headers as Record<string, string>, now: clock.now() })
        : classifyWooCommerceError({ errorCode: error.code, errorMessage: error.message, now: clock.now() });
    }
    // Never the body: it may carry a customer's address (style guide, principle 13).
    opts.logger?.warn('woocommerce call failed', {
      call: name,
      orderId,
      kind: failure.kind,
      code: failure.code,
      httpStatus: failure.httpStatus,
      ms: clock.now() - started,
    });
    return err(failure);
  }

  const orderPath = (orderId: string) => `orders/${encodeURIComponent(orderId)}`;

  return {
    getOrder: (orderId) => call('getOrder', orderId, () => api.get(orderPath(orderId)), readOrder),
    getOrders: async (orderIds) => {
      const orders: LiveOrder[] = [];
      for (let start = 0; start < orderIds.length; start += MAX_PER_PAGE) {
        const ids = orderIds.slice(start, start + MAX_PER_PAGE);
        // WordPress reads `include=14,15` as a list of ids; per_page as many, so one page holds them all.
        const page = await call('getOrders', ids.join(','), () => api.get('orders', { include: ids.join(','), per_page: String(ids.length) }), readOrderList);
        if (!page.ok) return page;
        orders.push(...page.value);
      }
      return ok(orders);
    },
    updateOrder: (orderId: string, fields: OrderUpdateFields) =>
      call('updateOrder', orderId, () => api.put(orderPath(orderId), { ...fields }), readOrder),
    listNotes: (orderId) =>
      // 100 is the REST maximum per page; the relay adds a handful of notes per order at most.
      call('listNotes', orderId, () => api.get(`${orderPath(orderId)}/notes`, { type: 'any', per_page: '100' }), readNotes),
    addNote: (orderId, note) =>
      call('addNote', orderId, () => api.post(`${orderPath(orderId)}/notes`, { note, customer_note: false }), readNote),
    createRefund: (orderId, amountMinor, currency, reason) =>
      call(
        'createRefund',
        orderId,
        // api_refund defaults to true, which asks the order's gateway to move money; the money already moved at
        // the provider, so this is a record only.
        () => api.post(`${orderPath(orderId)}/refunds`, { amount: minorToDecimal(amountMinor, currency), reason, api_refund: false }),
        (body) => readRefund(body, currency),
      ),
    ping: async () => {
      const started = clock.now();
      const result = await call('ping', null, () => api.get('orders', { per_page: '1' }), (body) => (Array.isArray(body) ? true : null));
      return result.ok ? ok({ latencyMs: clock.now() - started }) : result;
    },
  };
}

/** The most a wc/v3 list answers per page. */
const MAX_PER_PAGE = 100;

/** GET orders answers an array of orders, each shaped like GET orders/{id}; one unreadable entry spoils the list. */
function readOrderList(body: unknown): LiveOrder[] | null {
  if (!Array.isArray(body)) return null;
  const orders = body.map(readOrder);
  return orders.every((order): order is LiveOrder => order !== null) ? orders : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

/** The fields the relay needs from an order (shape of test/fixtures/woocommerce/order-get-200.json). */
export function readOrder(body: unknown): LiveOrder | null {
  if (!isRecord(body) || (typeof body.id !== 'number' && typeof body.id !== 'string') || typeof body.status !== 'string') return null;
  const currency = str(body.currency);
  const refunds = Array.isArray(body.refunds) && currency ? readRefunds(body.refunds, currency) : [];
  // A refund list that cannot be read must not look empty: the worker would repeat a refund it cannot see.
  if (refunds === null) return null;
  return {
    id: String(body.id),
    status: body.status,
    currency,
    totalMinor: typeof body.total === 'string' && currency ? decimalToMinor(body.total, currency) : null,
    paymentMethod: str(body.payment_method),
    transactionId: str(body.transaction_id),
    datePaid: typeof body.date_paid === 'string' && body.date_paid !== '' ? body.date_paid : null,
    refunds,
  };
}

function readNote(body: unknown): OrderNote | null {
  if (!isRecord(body) || body.id === undefined || typeof body.note !== 'string') return null;
  return { id: String(body.id), note: body.note, customerNote: body.customer_note === true };
}

function readNotes(body: unknown): OrderNote[] | null {
  if (!Array.isArray(body)) return null;
  const notes = body.map(readNote);
  return notes.every((n): n is OrderNote => n !== null) ? notes : null;
}

/** POST refunds answers `amount: "5.00"`; the order lists its refunds as `total: "-5.00"`. Either reads as a positive amount. */
function readRefund(body: unknown, currency: string): OrderRefund | null {
  if (!isRecord(body) || body.id === undefined) return null;
  const decimal = typeof body.amount === 'string' ? body.amount : typeof body.total === 'string' ? body.total.replace(/^-/, '') : null;
  const amountMinor = decimal === null ? null : decimalToMinor(decimal, currency);
  if (amountMinor === null) return null;
  return { id: String(body.id), amountMinor: Math.abs(amountMinor), reason: str(body.reason) };
}

function readRefunds(list: unknown[], currency: string): OrderRefund[] | null {
  const refunds = list.map((r) => readRefund(r, currency));
  return refunds.every((r): r is OrderRefund => r !== null) ? refunds : null;
}
