import type http from 'node:http';

/** A port the relay cannot have: a person's problem, reported in one line rather than a stack trace. */
export class ListenError extends Error {}

/** server.listen as a promise; a port in use or an address that is not ours rejects with a ListenError saying so. */
export function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const where = `${host}:${port}`;
      switch (error.code) {
        case 'EADDRINUSE':
          return reject(new ListenError(`Payrelay cannot start: port ${port} is already in use on ${host} (another relay still running?). Stop it or set PAYRELAY_PORT to a free port.`));
        case 'EACCES':
          return reject(new ListenError(`Payrelay cannot start: not allowed to listen on ${where} (ports below 1024 need privileges). Set PAYRELAY_PORT to 1024 or above.`));
        case 'EADDRNOTAVAIL':
        case 'ENOTFOUND':
          return reject(new ListenError(`Payrelay cannot start: ${host} is not an address of this machine. Check PAYRELAY_HOST (0.0.0.0 listens on all of them).`));
        default:
          return reject(error);
      }
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
