import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';

const PAYMENTS = path.resolve(__dirname, '..', 'fixtures', 'providers', 'mollie', 'payments');
export const recorded = (name: string) => JSON.parse(fs.readFileSync(path.join(PAYMENTS, name), 'utf8')) as Record<string, unknown>;

/** Mollie's API as the relay sees it: GET /v2/payments/:id answers whatever state the test puts the payment in. */
export interface MollieStandIn {
  url: string;
  payment: Record<string, unknown>;
  /** What GET /v2/payments/:id/chargebacks lists (Mollie's chargeback objects; `reversedAt` when reversed). */
  chargebacks: Array<Record<string, unknown>>;
  /** Every GET /v2/payments/:id that was answered (the relay's Mollie API calls). */
  gets: number;
  down: boolean;
  /** Runs when a GET arrives, before it is answered (e.g. another ping while the relay's fetch is in flight). */
  onGet: ((id: string) => Promise<void> | void) | null;
  close(): Promise<void>;
}

export async function startMollieStandIn(): Promise<MollieStandIn> {
  const state = { payment: recorded('payment-open.json'), chargebacks: [] as Array<Record<string, unknown>>, gets: 0, down: false, onGet: null as MollieStandIn['onGet'] };
  const app = express();
  app.get('/v2/payments/:id/chargebacks', (req, res) => {
    if (state.down) return void req.socket.destroy();
    if (req.params.id !== state.payment.id) return res.status(404).json({ status: 404, title: 'Not Found', detail: 'No payment exists with token' });
    res.type('application/hal+json').send(JSON.stringify({ count: state.chargebacks.length, _embedded: { chargebacks: state.chargebacks }, _links: {} }));
  });
  app.get('/v2/payments/:id', async (req, res) => {
    // Down: the connection drops before any answer, as when Mollie cannot be reached.
    if (state.down) return void req.socket.destroy();
    state.gets += 1;
    if (state.onGet) await state.onGet(req.params.id);
    if (req.params.id !== state.payment.id) return res.status(404).json({ status: 404, title: 'Not Found', detail: 'No payment exists with token' });
    res.type('application/hal+json').send(JSON.stringify(state.payment));
  });
  const server: http.Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get payment() {
      return state.payment;
    },
    set payment(next) {
      state.payment = next;
    },
    get chargebacks() {
      return state.chargebacks;
    },
    set chargebacks(next) {
      state.chargebacks = next;
    },
    get gets() {
      return state.gets;
    },
    get down() {
      return state.down;
    },
    set down(next) {
      state.down = next;
    },
    get onGet() {
      return state.onGet;
    },
    set onGet(next) {
      state.onGet = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
