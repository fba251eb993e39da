import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../ports/logger';
import type { FromRecorder } from '../remote-recorder/recorder-messages';
import { createRemoteRecorder, type RecorderChannel, type RemoteRecorder } from '../remote-recorder/remote-recorder';

/** What the recorder process needs; its first message (not argv or the environment, where `ps` would show a password). */
export interface RecorderProcessSetup {
  kind: 'setup';
  databaseUrl: string;
  /** The schema the relay works in (a registered shop's, schema per shop); null: the URL's own, the main one. */
  schema: string | null;
  /** lock_timeout of its connection: how long one webhook may wait for a row another connection holds. */
  lockTimeoutMs: number;
  livemode: boolean;
}

/** The same build as its parent, like the recorder thread: compiled JavaScript under dist/, the source through tsx otherwise. */
function forkRecorder(): ChildProcess {
  const compiled = path.join(__dirname, 'recorder-process.js');
  const useCompiled = __filename.endsWith('.js') && fs.existsSync(compiled);
  return fork(useCompiled ? compiled : path.join(__dirname, 'recorder-process.ts'), [], {
    execArgv: useCompiled ? [] : ['--require', require.resolve('tsx/cjs')],
    // Structured clone, as between threads: raw bodies stay bytes, not JSON arrays of numbers.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function processChannel(child: ChildProcess, setup: RecorderProcessSetup): RecorderChannel {
  // A send to a process that just died fails; its 'close' rejects what was in flight, so nothing more to do here.
  const ignore = (): void => undefined;
  child.send(setup, ignore);
  return {
    post: (message) => void child.send(message, ignore),
    onMessage: (listener) => void child.on('message', (message) => listener(message as FromRecorder)),
    onError: (listener) => void child.on('error', listener),
    // 'close', not 'exit': it comes after the last replies the process sent have been read.
    onExit: (listener) => void child.on('close', (code) => listener(code)),
  };
}

/**
 * An EventRecorder whose PostgreSQL transactions run in a child process (recorder-process.ts) on its own
 * connection, so their round trips and COMMITs' waits for the server's WAL flush never block the HTTP loop. One
 * process: two, each with its own connection and the events split between them by key, did worse in
 * `npm run bench` on 2 shared cores (relay/bare 0.09-0.17 against 0.21-0.33, three rounds each), where the
 * processes, the server's backends and the HTTP loop already share the CPU.
 */
export function createProcessRecorder(setup: Omit<RecorderProcessSetup, 'kind'>, logger: Logger): RemoteRecorder {
  return createRemoteRecorder('recorder process', () => processChannel(forkRecorder(), { kind: 'setup', ...setup }), logger);
}
