import { decideLock, describeHolder } from '../../../relay/src/domain/relay-lock-rule';

describe('the database lock: who may take it', () => {
  const now = 1_800_000_000_000;
  const me = { owner: 'me', host: 'web-1' };
  const holder = { owner: 'other', pid: 4242, host: 'web-1', since: now - 3_600_000, heartbeatAt: now - 2_000 };

  it.each([
    ['free', null, null, { take: true, reason: 'free' }],
    ['ours already', { ...holder, owner: 'me' }, true, { take: true, reason: 'ours' }],
    ['alive on this host', holder, true, { take: false, holder }],
    ['exited on this host (a crash)', holder, false, { take: true, reason: 'holder_exited' }],
    ['on another host, heartbeat fresh', { ...holder, host: 'web-2' }, null, { take: false, holder: { ...holder, host: 'web-2' } }],
    ['on another host, heartbeat stale', { ...holder, host: 'web-2', heartbeatAt: now - 31_000 }, null, { take: true, reason: 'stale' }],
    ['alive here but not beating (hung)', { ...holder, heartbeatAt: now - 31_000 }, true, { take: true, reason: 'stale' }],
  ] as const)('%s', (_name, current, alive, verdict) => {
    expect(decideLock(current, me, now, 30_000, alive)).toEqual(verdict);
  });

  it('the refusal names the process, the host and since when', () => {
    expect(describeHolder(holder, '/data/payrelay.db', now, 30_000)).toMatch(
      /^another relay is using the database \/data\/payrelay.db: pid 4242 on web-1, running since 2027-01-15T\d\d:\d\d:\d\d.\d{3}Z \(last heartbeat 2 s ago\)/,
    );
  });
});
