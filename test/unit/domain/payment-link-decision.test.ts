import { decideLinkOpen, REUSE_MARGIN_MS } from '../../../relay/src/domain/payment-link-decision';
import { linkKey, signLinkToken, verifyLinkToken } from '../../../relay/src/domain/payment-link-token';

const NOW = 1_767_225_600_000;
const link = { revokedAt: null, expiresAt: NOW + 86_400_000, lastSessionId: 'ps_1' };
const open = { id: 'ps_1', status: 'created' as const, expiresAt: NOW + 3_600_000 };
const unpaid = { status: 'pending', datePaid: null };

describe('opening a payment link', () => {
  test.each([
    ['revoked', { ...link, revokedAt: NOW - 1 }, [open], unpaid, { do: 'refuse', reason: 'revoked' }],
    ['past its lifetime', { ...link, expiresAt: NOW }, [], unpaid, { do: 'refuse', reason: 'expired' }],
    ['paid in the relay (webhook not yet in the shop)', link, [{ ...open, status: 'paid' as const }], unpaid, { do: 'refuse', reason: 'already_paid' }],
    ['paid on another session of the order', link, [open, { id: 'ps_0', status: 'paid' as const, expiresAt: NOW }], unpaid, { do: 'refuse', reason: 'already_paid' }],
    ['processing in the shop', link, [], { status: 'processing', datePaid: null }, { do: 'refuse', reason: 'already_paid' }],
    ['marked paid by hand (date paid set)', link, [], { status: 'on-hold', datePaid: '2026-01-01T00:00:00' }, { do: 'refuse', reason: 'already_paid' }],
    ['cancelled in the shop', link, [], { status: 'cancelled', datePaid: null }, { do: 'refuse', reason: 'order_closed' }],
    ['its last session still open', link, [open], unpaid, { do: 'reuse', sessionId: 'ps_1' }],
    ['its last session about to expire', link, [{ ...open, expiresAt: NOW + REUSE_MARGIN_MS }], unpaid, { do: 'create' }],
    ['its last session expired', link, [{ ...open, status: 'expired' as const }], unpaid, { do: 'create' }],
    ['its last session failed', link, [{ ...open, status: 'failed' as const }], unpaid, { do: 'create' }],
    ['never opened', { ...link, lastSessionId: null }, [open], unpaid, { do: 'create' }],
  ])('%s', (_name, l, sessions, live, expected) => {
    expect(decideLinkOpen(l, NOW, sessions, live)).toMatchObject(expected);
  });
});

describe('payment link tokens', () => {
  const key = linkKey('shop-secret-0123456789abcdefgh');
  const claims = { linkId: 'pl_1', orderId: '1042', expiresAt: NOW + 1000 };

  test('round trip, then expired at its expiry', () => {
    const token = signLinkToken(key, claims);
    expect(verifyLinkToken(key, token, NOW)).toEqual({ ok: true, claims });
    expect(verifyLinkToken(key, token, NOW + 1000)).toMatchObject({ ok: false, code: 'expired' });
  });

  test('another secret, an edited payload or garbage is refused', () => {
    const token = signLinkToken(key, claims);
    expect(verifyLinkToken(linkKey('another-secret-0123456789abcdef'), token, NOW)).toMatchObject({ ok: false, code: 'bad_signature' });
    const [payload, mac] = token.split('.');
    const edited = Buffer.from(JSON.stringify({ l: 'pl_1', o: '1043', e: NOW + 1000 })).toString('base64url');
    expect(verifyLinkToken(key, `${edited}.${mac}`, NOW)).toMatchObject({ ok: false, code: 'bad_signature' });
    expect(verifyLinkToken(key, payload, NOW)).toMatchObject({ ok: false, code: 'malformed' });
    expect(verifyLinkToken(key, 'a.b.c', NOW)).toMatchObject({ ok: false, code: 'malformed' });
  });
});
