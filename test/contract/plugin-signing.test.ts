import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { signShopRequest, verifyShopRequest } from '../../relay/src/http/request-signature';

/**
 * The relay and the WordPress plugin must agree on the shop request signature (shared/request-signing.md). Both sides
 * are checked against the same vectors, and here against each other: PHP signs, the relay verifies, and vice versa.
 */
interface Vector {
  id: string;
  method: string;
  path: string;
  timestamp: number;
  body: string;
  secret: string;
  signature: string;
  expected: 'verify' | 'fail';
}

const repoRoot = path.resolve(__dirname, '..', '..');
const vectors: Vector[] = JSON.parse(fs.readFileSync(path.join(repoRoot, 'shared', 'request-signing-vectors.json'), 'utf8')).vectors;
const signerFile = path.join(repoRoot, 'wp-plugin', 'src', 'class-relay-signer.php');
const hasPhp = !spawnSync('php', ['-v']).error;

/** Runs the plugin's own signer class over every vector's inputs (a JSON list on stdin). */
function phpSignatures(): string[] {
  const script = `
    define('ABSPATH', '/');
    require ${JSON.stringify(signerFile)};
    $out = [];
    foreach (json_decode(stream_get_contents(STDIN), true) as $v) {
      $out[] = \\Payrelay\\RelaySigner::sign($v['secret'], $v['timestamp'], $v['method'], $v['path'], $v['body']);
    }
    echo json_encode($out);
  `;
  return JSON.parse(execFileSync('php', ['-r', script], { input: JSON.stringify(vectors), encoding: 'utf8' }));
}

function relayVerifies(v: Vector, signature: string, secret = v.secret): boolean {
  const check = verifyShopRequest(secret, { timestamp: String(v.timestamp), signature }, v.method, v.path, v.body, v.timestamp * 1000);
  return check.ok;
}

describe('shop request signing: relay side of the shared vectors', () => {
  it('has both verify and fail vectors', () => {
    expect(vectors.some((v) => v.expected === 'verify')).toBe(true);
    expect(vectors.some((v) => v.expected === 'fail')).toBe(true);
  });

  it.each(vectors.map((v) => [v.id, v] as const))('%s', (_id, v) => {
    const ours = signShopRequest(v.secret, v.timestamp, v.method, v.path, v.body);
    expect(ours === v.signature).toBe(v.expected === 'verify');
    expect(relayVerifies(v, v.signature)).toBe(v.expected === 'verify');
  });
});

const phpIt = hasPhp ? it : it.skip;
const phpNote = hasPhp ? '' : ' (SKIPPED: php is not installed; apt-get install php-cli)';

describe(`shop request signing: the plugin's PHP signer against the relay${phpNote}`, () => {
  let php: string[] = [];
  beforeAll(() => {
    if (hasPhp) php = phpSignatures();
  });

  phpIt('signs every vector exactly like the relay (relay → plugin)', () => {
    expect(php).toEqual(vectors.map((v) => signShopRequest(v.secret, v.timestamp, v.method, v.path, v.body)));
  });

  phpIt('produces signatures the relay accepts, and only for the request signed (plugin → relay)', () => {
    vectors.forEach((v, i) => {
      expect(relayVerifies(v, php[i])).toBe(true);
      // Any other endpoint, method or secret must refuse the same signature.
      expect(relayVerifies({ ...v, path: `${v.path}x` }, php[i])).toBe(false);
      expect(relayVerifies({ ...v, method: v.method === 'GET' ? 'POST' : 'GET' }, php[i])).toBe(false);
      expect(relayVerifies(v, php[i], `${v.secret}-rotated`)).toBe(false);
    });
  });

  phpIt('agrees with the recorded signatures of the verify vectors', () => {
    vectors.forEach((v, i) => expect(php[i] === v.signature).toBe(v.expected === 'verify'));
  });
});
