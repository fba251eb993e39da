import type { ProviderEvent, ProviderId } from '../../domain/provider-event';
import type { RelayConfig } from '../../config/config-schema';

export type LogLevel = RelayConfig['logLevel'];

/**
 * The recorder's exit code after the disk refused a flush (EX_IOERR). Not restarted: a new descriptor would not
 * see the old error, and a provider's retry would be answered "duplicate" for a row that may never have reached
 * the disk. Webhooks get 503 until the relay restarts.
 */
export const STORAGE_FAILED_EXIT_CODE = 74;

/**
 * The recorder process's exit code when the server ended its connection (idle_session_timeout, a proxy's idle
 * limit, a DBA, a restart): restarted like any other exit, on a new connection. Staying up on a dead one would
 * answer every webhook 503 until the relay restarted, while /healthz, on the relay's own connection, said ok.
 */
export const CONNECTION_LOST_EXIT_CODE = 75;

/** One EventRecorder call, as a message. Raw bodies travel as transferred bytes to a thread, copied to a process. */
export type RecordRequest =
  | { id: number; kind: 'events'; events: ProviderEvent[]; raw: Uint8Array; receivedAt: number }
  | { id: number; kind: 'notification'; provider: ProviderId; ref: string; raw: Uint8Array; receivedAt: number }
  | { id: number; kind: 'rejection'; provider: string; code: string; message: string; receivedAt: number };

/** A call's outcome: its value once durable, or why it was not stored. */
export type RecordReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Log records travel back with the replies, so the relay writes one log through one logger. */
export interface ForwardedLog {
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

export interface FromRecorder {
  replies: RecordReply[];
  logs: ForwardedLog[];
}

export type ToRecorder = { kind: 'requests'; requests: RecordRequest[] } | { kind: 'close' };
