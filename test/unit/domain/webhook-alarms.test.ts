import { alarmKey, DEFAULT_ALARM_POLICY, evaluateAlarms, type AlarmFacts } from '../../../relay/src/domain/webhook-alarms';

const NOW = 1_767_225_600_000;
const MIN = 60_000;
const none: AlarmFacts = { rejections: [], lastAccepted: {}, silentSessions: [], deadLetters: 0 };
const badSignatures = (n: number, at = NOW - 30_000) => Array.from({ length: n }, (_, i) => ({ provider: 'stripe', code: 'bad_signature', at: at + i }));
const keys = (facts: AlarmFacts, now = NOW, open = new Set<string>()) => evaluateAlarms(facts, now, open).map((a) => a.key);

describe('webhook alarms (pure, clock passed in)', () => {
  describe('bad signatures', () => {
    const key = alarmKey('webhook_bad_signatures', 'stripe');
    test('20 in a minute raise one alarm that says what to do; 19 do not', () => {
      expect(keys({ ...none, rejections: badSignatures(19) })).toEqual([]);
      const alarms = evaluateAlarms({ ...none, rejections: badSignatures(20) }, NOW, new Set());
      expect(alarms.map((a) => a.key)).toEqual([key]);
      expect(alarms[0].message).toContain("the signing secret in the relay does not match the provider's; after a rotation paste the new one".replace('the signing', 'The signing'));
    });
    test('20 spread over ten minutes are not a burst', () => {
      const spread = Array.from({ length: 20 }, (_, i) => ({ provider: 'stripe', code: 'bad_signature', at: NOW - i * 30_000 }));
      expect(keys({ ...none, rejections: spread })).toEqual([]);
    });
    test('once open it stays while refusals continue, and clears when a good webhook arrives after them', () => {
      const open = new Set([key]);
      const later = NOW + 5 * MIN;
      const facts = { ...none, rejections: [...badSignatures(20), { provider: 'stripe', code: 'bad_signature', at: later - 1000 }] };
      expect(keys(facts, later, open)).toEqual([key]);
      expect(keys({ ...facts, lastAccepted: { stripe: later } }, later, open)).toEqual([]);
      // Even within the burst minute: a verified webhook after the refusals proves the secret is right now.
      expect(keys({ ...none, rejections: badSignatures(20), lastAccepted: { stripe: NOW } }, NOW, open)).toEqual([]);
    });
    test('it clears after a quiet spell with no refusal', () => {
      expect(keys({ ...none, rejections: badSignatures(20) }, NOW + DEFAULT_ALARM_POLICY.quietToClearMs, new Set([key]))).toEqual([]);
    });
  });

  describe('sessions with no webhook back', () => {
    const key = alarmKey('webhooks_missing', 'mollie');
    const sessions = (n: number, age: number) => Array.from({ length: n }, (_, i) => ({ provider: 'mollie', createdAt: NOW - age - i * MIN }));
    test('three sessions past the usual time and no webhook since: the endpoint is not registered or points elsewhere', () => {
      const alarms = evaluateAlarms({ ...none, silentSessions: sessions(3, 31 * MIN) }, NOW, new Set());
      expect(alarms.map((a) => a.key)).toEqual([key]);
      expect(alarms[0].message).toContain('/webhooks/mollie');
    });
    test('young sessions, too few, or webhooks still coming (abandoned checkouts) raise nothing', () => {
      expect(keys({ ...none, silentSessions: sessions(3, 10 * MIN) })).toEqual([]);
      expect(keys({ ...none, silentSessions: sessions(2, 31 * MIN) })).toEqual([]);
      expect(keys({ ...none, silentSessions: sessions(5, 31 * MIN), lastAccepted: { mollie: NOW - MIN } })).toEqual([]);
    });
  });

  describe("a provider's retries piling up", () => {
    const key = alarmKey('webhook_retries', 'stripe');
    const stale = (n: number) => Array.from({ length: n }, (_, i) => ({ provider: 'stripe', code: 'stale_timestamp', at: NOW - i * 1000 }));
    test('ten refused deliveries in ten minutes raise one alarm naming the reason and the fix', () => {
      const alarms = evaluateAlarms({ ...none, rejections: stale(10) }, NOW, new Set());
      expect(alarms.map((a) => a.key)).toEqual([key]);
      expect(alarms[0].message).toMatch(/stale_timestamp.*clock/);
      expect(keys({ ...none, rejections: stale(9) })).toEqual([]);
    });
    test('it clears once the window holds no refusal', () => {
      expect(keys({ ...none, rejections: stale(10) }, NOW + 11 * MIN, new Set([key]))).toEqual([]);
    });
  });

  test('dead letters raise one alarm and clear when there are none', () => {
    expect(keys({ ...none, deadLetters: 2 })).toEqual([alarmKey('dead_letters', null)]);
    expect(keys(none, NOW, new Set([alarmKey('dead_letters', null)]))).toEqual([]);
  });
});
