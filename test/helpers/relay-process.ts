import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

/** A port nobody listens on right now (for processes that need a fixed port, unlike servers on port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RelayProcess {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  exited: Promise<number | null>;
  /** Resolves when the banner says the relay listens; rejects if it exits first. */
  listening: Promise<void>;
}

/**
 * `npm start` as one process (node --import tsx, so a signal reaches the relay itself, not a wrapper).
 * `env` is the whole environment unless `inherit` is set.
 */
export function startRelayProcess(env: Record<string, string>, options: { inherit?: boolean } = {}): RelayProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'relay', 'src', 'main.ts')], {
    cwd: REPO,
    env: options.inherit ? { ...process.env, ...env } : env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out.stdout += chunk.toString('utf8');
      if (out.stdout.includes('Payrelay listening')) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => (out.stderr += chunk.toString('utf8')));
    void exited.then((code) => reject(new Error(`relay exited (${code}) before listening:\n${out.stdout}${out.stderr}`)));
  });
  listening.catch(() => {});
  return { child, out, exited, listening };
}
