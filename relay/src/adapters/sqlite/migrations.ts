/**
 * Versioned schema. Each entry runs once, in order, in its own transaction; PRAGMA user_version records how far
 * a database got. Append new versions; never edit a shipped one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE payment_sessions (
    id TEXT PRIMARY KEY,
    merchant_order_id TEXT NOT NULL,
    order_key TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_session_id TEXT,
    provider_payment_id TEXT,
    customer_email TEXT,
    customer_country TEXT,
    method TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    refunded_minor INTEGER NOT NULL DEFAULT 0,
    livemode INTEGER NOT NULL,
    checkout_url TEXT,
    return_url TEXT,
    cancel_url TEXT,
    status_token TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    attempt INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX payment_sessions_order ON payment_sessions (merchant_order_id);
  CREATE UNIQUE INDEX payment_sessions_provider_session ON payment_sessions (provider, provider_session_id);
  CREATE INDEX payment_sessions_provider_payment ON payment_sessions (provider, provider_payment_id);
  CREATE INDEX payment_sessions_status ON payment_sessions (status, expires_at);

  CREATE TABLE webhook_events (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    session_id TEXT,
    merchant_order_id TEXT,
    raw_body BLOB NOT NULL,
    verification TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'received',
    received_at INTEGER NOT NULL,
    UNIQUE (provider, event_id)
  );
  CREATE INDEX webhook_events_received ON webhook_events (received_at);

  CREATE TABLE webhook_rejections (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    received_at INTEGER NOT NULL
  );

  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    order_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    command TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX outbox_pending ON outbox (state, order_key, id);
  CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

  CREATE TABLE payment_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    merchant_order_id TEXT,
    session_id TEXT,
    provider TEXT,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    data TEXT
  );
  CREATE INDEX payment_log_order ON payment_log (merchant_order_id, id);
  CREATE INDEX payment_log_session ON payment_log (session_id, id);

  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    merchant_order_id TEXT NOT NULL,
    session_id TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    resolved INTEGER NOT NULL DEFAULT 0
  );
  `,
  // 2: the log is read by order only; a second index cost two more B-tree writes per webhook.
  `DROP INDEX payment_log_session;`,
  // 3: while the shop is paused the worker looks for commands that only talk to providers; without this index
  // that was a scan of every pending shop write (3 ms at 10,000, on the HTTP loop, four times a second).
  `CREATE INDEX outbox_provider_due ON outbox (next_attempt_at, id)
     WHERE state = 'pending' AND kind IN ('fetch_status', 'expire_at_provider');`,
  // 4: PayPal captures are provider-only commands too (the index must name every kind the claim asks for);
  // refunds asked for by the shop (one row per WooCommerce refund: the idempotency key and the link to the
  // provider's refund id); webhook signing secrets and ids that providers:connect got back from the provider.
  `DROP INDEX outbox_provider_due;
   CREATE INDEX outbox_provider_due ON outbox (next_attempt_at, id)
     WHERE state = 'pending' AND kind IN ('fetch_status', 'expire_at_provider', 'capture_at_provider');
   CREATE TABLE shop_refunds (
     id INTEGER PRIMARY KEY,
     merchant_order_id TEXT NOT NULL,
     shop_refund_id TEXT NOT NULL,
     session_id TEXT NOT NULL,
     provider TEXT NOT NULL,
     amount_minor INTEGER NOT NULL,
     currency TEXT NOT NULL,
     state TEXT NOT NULL,
     provider_refund_id TEXT,
     message TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     UNIQUE (merchant_order_id, shop_refund_id)
   );
   CREATE TABLE webhook_secrets (
     id INTEGER PRIMARY KEY,
     provider TEXT NOT NULL,
     endpoint_id TEXT NOT NULL,
     url TEXT NOT NULL,
     secret TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     valid_until INTEGER
   );
   CREATE INDEX webhook_secrets_provider ON webhook_secrets (provider, id);`,
  // 5 (issue 12): the provider's time of the last applied event (a late, older event is stale), the status a
  // dispute put on hold (restored when it is won), and the money the customer's bank took back (chargebacks).
  `ALTER TABLE payment_sessions ADD COLUMN last_event_at INTEGER;
   ALTER TABLE payment_sessions ADD COLUMN disputed_from TEXT;
   ALTER TABLE payment_sessions ADD COLUMN charged_back_minor INTEGER NOT NULL DEFAULT 0;`,
  // 6: payment links a merchant sends (issue 11): the link outlives any provider session; each open makes or
  // reuses one session through the normal create-session use case. The token carries the id; this row says
  // whether it is still good (revoked, lifetime) and which session an open made last.
  `CREATE TABLE payment_links (
     id TEXT PRIMARY KEY,
     merchant_order_id TEXT NOT NULL,
     order_key TEXT NOT NULL,
     amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
     currency TEXT NOT NULL,
     customer_email TEXT NOT NULL,
     customer_country TEXT NOT NULL,
     method TEXT NOT NULL,
     return_url TEXT NOT NULL,
     cancel_url TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     revoked_at INTEGER,
     last_session_id TEXT,
     opened_count INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX payment_links_order ON payment_links (merchant_order_id, created_at);`,
  // 7: webhook alarms (issue 11) are alerts about a provider, not an order: the key names the one alarm
  // (`webhook_bad_signatures:stripe`) so it is raised once and cleared when its cause is gone.
  `ALTER TABLE alerts ADD COLUMN alarm_key TEXT;
   CREATE INDEX alerts_open_alarm ON alerts (alarm_key) WHERE alarm_key IS NOT NULL AND resolved = 0;`,
  // 8: events that arrive before their session is written are parked, not dropped (issue 12 item 6); Mollie
  // pings collapse into one pending fetch per payment (item 8): `coalesce_key` names it, `rerun` asks for one
  // more fetch when a ping arrives while the fetch is already running.
  `CREATE TABLE parked_events (
     id INTEGER PRIMARY KEY,
     provider TEXT NOT NULL,
     event_key TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('event', 'notification')),
     relay_session_id TEXT,
     provider_session_id TEXT,
     provider_payment_id TEXT,
     event TEXT,
     parked_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL,
     seen INTEGER NOT NULL DEFAULT 1,
     until INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'parked' CHECK (state IN ('parked', 'released', 'expired')),
     settled_at INTEGER,
     UNIQUE (provider, event_key)
   );
   CREATE INDEX parked_events_session ON parked_events (provider, provider_session_id) WHERE state = 'parked';
   CREATE INDEX parked_events_payment ON parked_events (provider, provider_payment_id) WHERE state = 'parked';
   CREATE INDEX parked_events_relay_session ON parked_events (relay_session_id) WHERE state = 'parked';
   CREATE INDEX parked_events_until ON parked_events (state, until);
   ALTER TABLE outbox ADD COLUMN coalesce_key TEXT;
   ALTER TABLE outbox ADD COLUMN rerun INTEGER NOT NULL DEFAULT 0;
   CREATE UNIQUE INDEX outbox_coalesce ON outbox (coalesce_key) WHERE state = 'pending' AND coalesce_key IS NOT NULL;`,
  // 9 (issue 12 item 10): one relay per database file. A worker's claim on an outbox command is a lease (owner,
  // expiry), so two workers never run one command at once and a dead one's claim is taken over; relay_lock holds
  // the running relay (pid, host, since) with a heartbeat, taken over when its holder is gone.
  `ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
   ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
   CREATE TABLE relay_lock (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     owner TEXT NOT NULL,
     pid INTEGER NOT NULL,
     host TEXT NOT NULL,
     since INTEGER NOT NULL,
     heartbeat_at INTEGER NOT NULL
   );`,
  // 10 (issue 13): a dead letter a person dismissed stays as it was (state 'dead', its last error) for the audit,
  // marked with when; lists, counts and the dead-letter alarm leave it out.
  `ALTER TABLE outbox ADD COLUMN dismissed_at INTEGER;`,
  // 11 (issue 10, many shops): the shops this relay serves besides the one in its environment. Each shop's
  // settings (WooCommerce keys, provider accounts, mode, routes: environment variable names, JSON) and secret
  // stay here; its orders, inbox and outbox live in its own database file (data/shops/<id>.db).
  `CREATE TABLE shops (
     id TEXT PRIMARY KEY,
     wc_url TEXT NOT NULL,
     shop_secret TEXT NOT NULL,
     settings TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );`,
  // 12 (issue 10, a million stored events): prune deletes in small batches, oldest first, so it never holds the
  // write lock for long; each batch must find its rows by an index range, not a scan. Finished commands by when
  // they finished (partial: a command enters it once, when done), rejections by when they came.
  `CREATE INDEX outbox_done_updated ON outbox (updated_at) WHERE state = 'done';
   CREATE INDEX webhook_rejections_received ON webhook_rejections (received_at);`,
  // 13 (issue 10): the alarm pass (every 15 s, on the HTTP loop) read the whole store at a million events: the
  // last accepted webhook per provider scanned every event (9 s), and each recent session without a webhook
  // scanned them all again (no index on session_id; PostgreSQL has had webhook_events_session since its 1).
  `CREATE INDEX webhook_events_session ON webhook_events (session_id);
   CREATE INDEX webhook_events_last_accepted ON webhook_events (provider, verification, received_at);
   CREATE INDEX payment_sessions_created ON payment_sessions (created_at);`,
  // 14 (issue 10): every webhook wrote webhook_events_session at a random place (session ids are random), and
  // every pruned event deleted from it, for one reader: the alarm pass asking which recent sessions no webhook had
  // mentioned, one look-up per session of the last day (250 ms at 60,000 sessions, on the HTTP loop, every
  // 15 s). It asks which sessions came after the provider's last accepted webhook instead: a range of this
  // index, in time order, written at each provider's end.
  `DROP INDEX webhook_events_session;
   CREATE INDEX payment_sessions_provider_created ON payment_sessions (provider, created_at);`,
  // 15: a replay's copy of a command keeps the original's id, its place among its order's writes: a copy of an old
  // "paid" must not count as newer than the hold or refund written since (newerWriteDone). outbox_pending (state,
  // order_key, id) already serves the look-up of done rows.
  `ALTER TABLE outbox ADD COLUMN replay_of INTEGER;`,
  // 16: refunds left `requested` by a relay that stopped while it asked the provider are looked for every 30 s
  // (recover-interrupted-refunds.ts): the few rows waiting for an answer, by when they last changed.
  `CREATE INDEX shop_refunds_requested ON shop_refunds (updated_at) WHERE state = 'requested';`,
  // 17: whether a refund's request gave the plugin its answer. A webhook may settle a refund while its request still
  // asks, so 'requested' alone missed a relay that stopped after such a webhook: WooCommerce had removed its record
  // and nothing put it back. Rows from before were all answered or are 'requested' (recovered by state).
  `ALTER TABLE shop_refunds ADD COLUMN answered_at INTEGER;
   UPDATE shop_refunds SET answered_at = updated_at WHERE state <> 'requested';
   DROP INDEX shop_refunds_requested;
   CREATE INDEX shop_refunds_unanswered ON shop_refunds (created_at) WHERE answered_at IS NULL;`,
];
