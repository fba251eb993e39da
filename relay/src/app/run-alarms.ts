import { evaluateAlarms, DEFAULT_ALARM_POLICY, type Alarm, type AlarmPolicy } from '../domain/webhook-alarms';
import type { AlarmStore } from '../ports/alarm-store';
import type { Clock } from '../ports/clock';
import type { Logger } from '../ports/logger';

export interface AlarmDeps {
  alarms: AlarmStore;
  clock: Clock;
  transaction: <T>(fn: () => T) => T;
  logger?: Logger;
  policy?: AlarmPolicy;
}

export interface AlarmReport {
  open: Alarm[];
  raised: string[];
  cleared: string[];
}

/** One pass of the webhook alarms: raise what is new (once), clear what is gone. Runs on a timer in relay.ts. */
export function runAlarms(deps: AlarmDeps): AlarmReport {
  const policy = deps.policy ?? DEFAULT_ALARM_POLICY;
  const now = deps.clock.now();
  return deps.transaction(() => {
    const before = deps.alarms.openKeys();
    const open = evaluateAlarms(deps.alarms.facts(now - policy.lookbackMs), now, before, policy);
    const wanted = new Set(open.map((a) => a.key));
    const raised: string[] = [];
    const cleared: string[] = [];
    for (const alarm of open) {
      if (before.has(alarm.key)) continue;
      deps.alarms.raise(alarm, now);
      raised.push(alarm.key);
      deps.logger?.warn('alarm raised', { alarm: alarm.key });
    }
    for (const key of before) {
      if (wanted.has(key)) continue;
      deps.alarms.clear(key);
      cleared.push(key);
      deps.logger?.info('alarm cleared', { alarm: key });
    }
    return { open, raised, cleared };
  });
}
