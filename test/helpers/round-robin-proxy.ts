import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** How many requests each upstream was handed (index = position in `ports`), answered or not. */
  handed: number[];
  close(): Promise<void>;
}

/**
 * A small reverse proxy in front of a fleet: each request goes to the next upstream in turn, body and answer
 * streamed through. An upstream that does not answer (killed) costs that request a 502, as nginx's would; the
 * sender retries like a provider does. No retry here, so a test sees every failure a real front would pass on.
 */
export async function startRoundRobinProxy(ports: number[]): Promise<RoundRobinProxy> {
  const handed = ports.map(() => 0);
  let next = 0;
  const server = http.createServer((req, res) => {
    const index = next++ % ports.length;
    handed[index] += 1;
    const upstream = http.request(
      { host: '127.0.0.1', port: ports[index], method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handed,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
