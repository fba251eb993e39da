import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import { PROVIDER_FIXTURES } from './provider-signers';

/**
 * What the stand-in does to one POST /v1/checkout/sessions instead of creating a session. Error bodies have
 * Stripe's shape ({ error: { type, code, message } }, https://docs.stripe.com/api/errors) so the real SDK
 * classifies them exactly as it would in production.
 */
export type StripeFault =
  /** 500 api_error: Stripe's own incident. */
  | { kind: 'server_error' }
  /** 503 with nginx-ish HTML, not JSON: an edge proxy in trouble. */
  | { kind: 'unavailable' }
  /** 429 rate_limit. */
  | { kind: 'rate_limited' }
  /**
   * The connection closes before any answer (ECONNRESET at the client). stripe-node retries a closed connection
   * once even with maxNetworkRetries 0, with the same Idempotency-Key, so one drop alone does not fail a call.
   */
  | { kind: 'drop' }
  /** Stripe creates the session, then the answer is lost: only the Idempotency-Key keeps the retry from creating a second. */
  | { kind: 'create_then_drop' }
  /** 400 payment_method_unactivated: "this account cannot take that payment"; another provider may. */
  | { kind: 'unsupported' };

export interface StripeCreateCall {
  idempotencyKey: string | undefined;
  authorization: string | undefined;
  form: Record<string, any>;
  /** What the stand-in answered: a fault kind, 'created', or 'replayed' (same Idempotency-Key as before, nothing created). */
  answer: StripeFault['kind'] | 'created' | 'replayed';
}

export interface StripeStandIn {
  /** Give the relay this as STRIPE_API_BASE. */
  url: string;
  /** Every POST /v1/checkout/sessions that reached the stand-in, in order. */
  createCalls: StripeCreateCall[];
  /** Sessions really created (an idempotent replay creates nothing), by id. */
  sessions: Map<string, Record<string, any>>;
  expired: string[];
  /** Refunds really made (POST /v1/refunds; an Idempotency-Key replay makes none), in order. */
  refunds: Array<Record<string, any>>;
  /** Every POST /v1/refunds that reached the stand-in. */
  refundCalls: Array<{ idempotencyKey: string | undefined }>;
  /**
   * Faults for the next refund calls, one per call: `apply_then_hang` makes (or replays) the refund and never
   * answers, the lost answer a timeout is; `hang` answers nothing and makes nothing.
   */
  failRefunds(...faults: Array<'apply_then_hang' | 'hang'>): void;
  /** Queue faults for the next create calls, one per call; `always` makes every later call fail until `recover()`. */
  fail(...faults: StripeFault[]): void;
  always(fault: StripeFault): void;
  recover(): void;
  close(): Promise<void>;
}

const FIXTURE = path.join(PROVIDER_FIXTURES, 'stripe', 'objects', 'openapi-fixtures3', 'checkout.session.json');

/**
 * A real HTTP server on 127.0.0.1 that answers the Checkout Sessions API the way Stripe does (create, retrieve,
 * expire; Idempotency-Key replays), with faults injected per call, so the relay's real StripeProvider (the
 * official SDK) talks to it over TCP.
 */
export async function startStripeStandIn(): Promise<StripeStandIn> {
  const template = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, any>;
  const createCalls: StripeCreateCall[] = [];
  const sessions = new Map<string, Record<string, any>>();
  const byKey = new Map<string, Record<string, any>>();
  const expired: string[] = [];
  const refunds: Array<Record<string, any>> = [];
  const refundCalls: StripeStandIn['refundCalls'] = [];
  const refundByKey = new Map<string, Record<string, any>>();
  const refundFaults: Array<'apply_then_hang' | 'hang'> = [];
  const hung = new Set<Response>();
  const queued: StripeFault[] = [];
  let standing: StripeFault | null = null;
  let counter = 0;

  const app = express();
  app.use(express.urlencoded({ extended: true }));

  app.post('/v1/checkout/sessions', (req: Request, res: Response) => {
    const call: StripeCreateCall = {
      idempotencyKey: req.header('idempotency-key'),
      authorization: req.header('authorization'),
      form: req.body as Record<string, any>,
      answer: 'created',
    };
    createCalls.push(call);
    const fault = queued.shift() ?? standing;
    if (fault && fault.kind !== 'create_then_drop') {
      call.answer = fault.kind;
      answerFault(fault, req, res);
      return;
    }
    const replay = call.idempotencyKey ? byKey.get(call.idempotencyKey) : undefined;
    if (replay) {
      call.answer = 'replayed';
      res.set('Idempotent-Replayed', 'true').json(replay);
      return;
    }
    counter += 1;
    const form = call.form;
    const id = `cs_test_standin_${counter}_${Math.random().toString(36).slice(2, 10)}`;
    const session = {
      ...template,
      id,
      url: `https://checkout.stripe.com/c/pay/${id}`,
      created: Math.floor(Date.now() / 1000),
      expires_at: Number(form.expires_at),
      client_reference_id: form.client_reference_id ?? null,
      metadata: form.metadata ?? {},
      customer_email: form.customer_email ?? null,
      success_url: form.success_url,
      cancel_url: form.cancel_url,
      currency: form.line_items?.[0]?.price_data?.currency ?? null,
      amount_subtotal: Number(form.line_items?.[0]?.price_data?.unit_amount),
      amount_total: Number(form.line_items?.[0]?.price_data?.unit_amount),
      payment_intent: null,
      payment_status: 'unpaid',
      status: 'open',
    };
    sessions.set(id, session);
    if (call.idempotencyKey) byKey.set(call.idempotencyKey, session);
    if (fault) {
      call.answer = fault.kind;
      req.socket.destroy();
      return;
    }
    res.json(session);
  });

  // https://docs.stripe.com/api/refunds/create and /list: the relay's key is in metadata; Idempotency-Key replays.
  app.post('/v1/refunds', (req: Request, res: Response) => {
    const key = req.header('idempotency-key');
    refundCalls.push({ idempotencyKey: key });
    const fault = refundFaults.shift();
    if (fault === 'hang') return void hung.add(res);
    const form = req.body as Record<string, any>;
    let refund = key ? refundByKey.get(key) : undefined;
    if (!refund) {
      counter += 1;
      refund = { id: `re_standin_${counter}`, object: 'refund', amount: Number(form.amount), currency: 'eur', payment_intent: form.payment_intent, status: 'succeeded', metadata: form.metadata ?? {}, created: Math.floor(Date.now() / 1000) };
      refunds.push(refund);
      if (key) refundByKey.set(key, refund);
    }
    if (fault === 'apply_then_hang') return void hung.add(res);
    res.json(refund);
  });
  app.get('/v1/refunds', (req, res) => {
    const data = refunds.filter((r) => !req.query.payment_intent || r.payment_intent === req.query.payment_intent);
    res.json({ object: 'list', data, has_more: false, url: '/v1/refunds' });
  });

  app.get('/v1/checkout/sessions/:id', (req, res) => {
    const session = sessions.get(req.params.id);
    if (!session) {
      res.status(404).json({ error: { type: 'invalid_request_error', code: 'resource_missing', param: 'session', message: `No such checkout.session: '${req.params.id}'` } });
      return;
    }
    res.json(session);
  });

  app.post('/v1/checkout/sessions/:id/expire', (req, res) => {
    const session = sessions.get(req.params.id);
    if (!session) {
      res.status(404).json({ error: { type: 'invalid_request_error', code: 'resource_missing', param: 'session', message: `No such checkout.session: '${req.params.id}'` } });
      return;
    }
    if (session.status !== 'open') {
      res.status(400).json({ error: { type: 'invalid_request_error', message: `Only Checkout Sessions with a status of open can be expired. This Checkout Session has a status of ${session.status}.` } });
      return;
    }
    session.status = 'expired';
    expired.push(session.id);
    res.json(session);
  });

  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    createCalls,
    sessions,
    expired,
    refunds,
    refundCalls,
    failRefunds: (...faults) => void refundFaults.push(...faults),
    fail: (...faults) => void queued.push(...faults),
    always: (fault) => void (standing = fault),
    recover: () => {
      standing = null;
      queued.splice(0);
    },
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answerFault(fault: StripeFault, req: Request, res: Response): void {
  const requestId = `req_standin_${Math.random().toString(36).slice(2, 12)}`;
  res.set('Request-Id', requestId);
  switch (fault.kind) {
    case 'server_error':
      res.status(500).json({ error: { type: 'api_error', message: 'Sorry, something went wrong. We\'ve already been notified of the problem.' } });
      return;
    case 'unavailable':
      res.status(503).type('text/html').send('<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
      return;
    case 'rate_limited':
      res.status(429).json({ error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.' } });
      return;
    case 'drop':
    case 'create_then_drop':
      req.socket.destroy();
      return;
    case 'unsupported':
      res.status(400).json({
        error: {
          type: 'invalid_request_error',
          code: 'payment_method_unactivated',
          param: 'payment_method_types',
          message: 'The payment method `card` cannot be used because it is not activated for your account.',
        },
      });
      return;
    default: {
      const never: never = fault;
      throw new Error(`unknown fault ${JSON.stringify(never)}`);
    }
  }
}
