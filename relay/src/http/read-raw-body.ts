import type { IncomingMessage } from 'node:http';

export type RawBody = { ok: true; body: Buffer } | { ok: false; status: 400 | 413 | 415; code: string; message: string };

/**
 * A webhook's body as the exact bytes sent (the signature covers them), at most `limit` of them. The buffer has
 * its own memory, not a slice of Node's shared pool, so it can be handed to the recorder thread without a copy.
 * Compressed bodies are refused: no provider sends one, and inflating before the size check invites a zip bomb.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<RawBody> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    return Promise.resolve({ ok: false, status: 415, code: 'unsupported_encoding', message: `content-encoding "${encoding.slice(0, 40)}" is not accepted; send the body uncompressed` });
  }
  const tooLarge = { ok: false, status: 413, code: 'payload_too_large', message: `body is larger than ${limit} bytes` } as const;
  const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
  if (declared !== null && declared > limit) return Promise.resolve(tooLarge);

  return new Promise<RawBody>((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (result: RawBody) => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('aborted', onAborted);
      req.removeListener('error', onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        finish(tooLarge);
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const body = Buffer.allocUnsafeSlow(received);
      let offset = 0;
      for (const chunk of chunks) offset += chunk.copy(body, offset);
      finish({ ok: true, body });
    };
    const onAborted = () => finish({ ok: false, status: 400, code: 'bad_request', message: 'the request body was cut off' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('aborted', onAborted);
    req.on('error', onAborted);
  });
}
