export type RelayMode = 'test' | 'live';

/** A configured provider credential, by the variable that holds it, and the mode it works in (null: it does not say). */
export interface ConfiguredKey {
  variable: string;
  mode: RelayMode | null;
}

/**
 * The mode a key works in, read from its prefix: Stripe `sk_live_`/`rk_live_` and `sk_test_`/`rk_test_`
 * (https://docs.stripe.com/keys), Mollie `live_` and `test_` (https://docs.mollie.com/reference/authentication).
 * null when the prefix says nothing (the schema already refuses such keys).
 */
export function keyMode(variable: 'STRIPE_SECRET_KEY' | 'MOLLIE_API_KEY', value: string): RelayMode | null {
  const pattern = variable === 'STRIPE_SECRET_KEY' ? /^(?:sk|rk)_(live|test)_/ : /^(live|test)_/;
  const match = pattern.exec(value);
  return match ? (match[1] as RelayMode) : null;
}

/**
 * The relay's mode comes from its keys: a live key creates real payments whose webhooks say livemode, and a relay
 * running in the other mode would ignore every one of them (and its expiry sweep would cancel paid orders).
 * PAYRELAY_MODE, when set, must agree; with no keys (the sandbox) the mode is test.
 */
export function resolveMode(declared: RelayMode | undefined, keys: readonly ConfiguredKey[]): { mode: RelayMode; problems: string[] } {
  const moded = keys.filter((key) => key.mode !== null);
  const live = moded.filter((key) => key.mode === 'live').map((key) => key.variable);
  const test = moded.filter((key) => key.mode === 'test').map((key) => key.variable);
  if (live.length > 0 && test.length > 0) {
    return {
      mode: declared ?? 'test',
      problems: [
        `live and test keys are mixed: ${live.join(', ')} ${live.length > 1 ? 'are live keys' : 'is a live key'} but ${test.join(', ')} ${test.length > 1 ? 'are test keys' : 'is a test key'}. ` +
          'Use only live keys (real payments) or only test keys: one relay runs in one mode',
      ],
    };
  }
  const fromKeys: RelayMode | null = live.length > 0 ? 'live' : test.length > 0 ? 'test' : null;
  if (declared && fromKeys && declared !== fromKeys) {
    const named = (fromKeys === 'live' ? live : test).join(', ');
    const consequence = fromKeys === 'live'
      ? 'payments would be real while their webhooks are ignored as live-mode events'
      : 'every payment would be a test payment while the relay waits for live ones';
    return {
      mode: declared,
      problems: [`"PAYRELAY_MODE" is ${declared} but the provider keys are ${fromKeys} (${named}): ${consequence}. Leave PAYRELAY_MODE unset (the keys decide) or set it to ${fromKeys}`],
    };
  }
  return { mode: declared ?? fromKeys ?? 'test', problems: [] };
}
