/**
 * A lean HTTP/1.1 load generator for `npm run bench`, in the spirit of wrk: keep-alive sockets, one request in
 * flight per socket, requests serialised before the clock starts, responses read by Content-Length only.
 * Node's http client spends about as much CPU per request as a bare express server does; on a 2-core
 * machine that client was half of what was being measured. This one leaves the cores to the servers.
 */
import net from 'node:net';

export interface LoadResult {
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Responses with status 200. */
  ok: number;
  /** CPU this generator spent per request, in microseconds (its own cost, printed so nobody has to trust it). */
  generatorCpuMicros: number;
  /** Per request, in the order given: when it was sent (performance.now(), ms) and how long its answer took (ms).
   * For percentiles over part of a run (bench:scale: the requests sent while a prune ran). */
  sentAt: Float64Array;
  latencies: Float64Array;
}

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');

function serialise(port: number, request: LoadRequest): Buffer {
  const body = Buffer.from(request.body);
  const head = [`POST ${request.path} HTTP/1.1`, `host: 127.0.0.1:${port}`, 'connection: keep-alive', `content-length: ${body.length}`];
  for (const [name, value] of Object.entries(request.headers)) head.push(`${name}: ${value}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]);
}

/** Reads responses off one socket; calls `done(status)` per complete response. Throws on what it cannot read. */
function responseReader(done: (status: number) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      const headEnd = pending.indexOf(HEAD_END);
      if (headEnd < 0) return;
      const head = pending.subarray(0, headEnd).toString('latin1');
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      if (!length) throw new Error(`response without content-length: ${head.split('\r\n')[0]}`);
      const total = headEnd + 4 + Number(length[1]);
      if (pending.length < total) return;
      done(Number(head.slice(9, 12)));
      pending = pending.subarray(total);
    }
  };
}

/** Sends every request once over `concurrency` keep-alive connections, as fast as the server answers. */
export async function runLoad(port: number, requests: ReadonlyArray<LoadRequest>, concurrency: number): Promise<LoadResult> {
  const wire = requests.map((request) => serialise(port, request));
  const latencies = new Float64Array(wire.length);
  const sentAt = new Float64Array(wire.length);
  let next = 0;
  let ok = 0;
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();

  const connection = () =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
      let current = -1;
      let sentAtNs = 0n;
      const sendNext = () => {
        if (next >= wire.length) {
          socket.end();
          return resolve();
        }
        current = next++;
        sentAtNs = process.hrtime.bigint();
        sentAt[current] = performance.now();
        socket.write(wire[current]);
      };
      socket.on(
        'data',
        responseReader((status) => {
          latencies[current] = Number(process.hrtime.bigint() - sentAtNs) / 1e6;
          if (status === 200) ok += 1;
          sendNext();
        }),
      );
      socket.once('connect', sendNext);
      socket.once('error', reject);
    });

  await Promise.all(Array.from({ length: concurrency }, connection));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    seconds,
    perSecond: wire.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok,
    generatorCpuMicros: ((cpu.user + cpu.system) / wire.length),
    sentAt,
    latencies,
  };
}

/** The p-th percentile (0–100) of the values, nearest rank, as the generator reports p50 and p99. */
export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
