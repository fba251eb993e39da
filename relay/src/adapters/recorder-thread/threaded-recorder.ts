import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../ports/logger';
import { createRemoteRecorder, type RecorderChannel, type RemoteRecorder } from '../remote-recorder/remote-recorder';

/** What the HTTP thread starts the recorder thread with: plain data, since a thread shares no objects. */
export interface RecorderThreadSetup {
  databasePath: string;
  busyTimeoutMs: number;
  livemode: boolean;
  /** The relay checkpoints on a thread of its own (sqlite/background-checkpoints.ts): this connection only past it. */
  walAutocheckpointPages?: number;
}

export type ThreadedRecorder = RemoteRecorder;

/**
 * The thread runs the same build as its parent: compiled JavaScript next to this file when the relay runs from
 * dist/ (plain node, `npm start`), the TypeScript source through tsx under jest or tsx. Both paths absolute: an
 * eval'd worker resolves modules from the process's working directory, not from here.
 */
function spawnThread(setup: RecorderThreadSetup): Worker {
  const compiled = path.join(__dirname, 'recorder-thread.js');
  if (__filename.endsWith('.js') && fs.existsSync(compiled)) return new Worker(compiled, { workerData: setup });
  const entry = path.join(__dirname, 'recorder-thread.ts');
  const loader = require.resolve('tsx/cjs');
  return new Worker(`require(${JSON.stringify(loader)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: setup });
}

function threadChannel(worker: Worker): RecorderChannel {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (listener) => void worker.on('message', listener),
    onError: (listener) => void worker.on('error', listener),
    onExit: (listener) => void worker.on('exit', listener),
  };
}

/** An EventRecorder whose SQLite transactions run in the recorder thread (recorder-thread.ts), on its own connection. */
export function createThreadedRecorder(setup: RecorderThreadSetup, logger: Logger): ThreadedRecorder {
  return createRemoteRecorder('recorder thread', () => threadChannel(spawnThread(setup)), logger);
}
