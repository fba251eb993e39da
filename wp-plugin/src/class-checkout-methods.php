<?php

namespace Payrelay;

use Payrelay\Admin\RelayHealth;

defined('ABSPATH') || exit;

/**
 * Which of the merchant's methods the checkout offers for this cart: those the relay can route right now
 * (GET /v1/methods with the cart's currency, country and amount). So no shopper sees a choice that cannot work.
 *
 * The answer is cached for CACHE_SECONDS in a transient keyed by currency, country and amount band, because the
 * classic checkout asks again on every address change (update_order_review) and the relay's answer moves only when
 * a provider's circuit breaker opens or closes. A relay that cannot be reached is cached too, for as long: a down
 * relay must not hold every checkout refresh for the client's timeout.
 */
final class CheckoutMethods
{
    public const CACHE_SECONDS = 30;
    public const TRANSIENT_PREFIX = 'payrelay_methods_';

    /** @var callable(): int */
    private $now;

    /**
     * @param string[] $offered the merchant's choice in the settings (Settings::$methods)
     * @param (callable(): int)|null $now unix seconds, injected for tests
     */
    public function __construct(
        private RelayClient $client,
        private array $offered,
        private ?RelayHealth $health = null,
        ?callable $now = null
    ) {
        $this->now = $now ?? 'time';
    }

    /**
     * The methods to offer for this cart, in the merchant's order; [] when none can be routed or the relay does not
     * answer (the gateway is then not offered). A relay without GET /v1/methods (older than issue 9, 404) cannot
     * say, so the merchant's choice stands, as before.
     *
     * @return string[]
     */
    public function for_cart(string $currency, string $country, ?int $amount_minor): array
    {
        if ($this->health?->is_down() ?? false) {
            return [];
        }
        $answer = $this->answer(strtoupper($currency), strtoupper($country), $amount_minor);
        if ($answer['state'] === 'unknown') {
            return $this->offered;
        }
        return array_values(array_intersect($this->offered, $answer['routable']));
    }

    /**
     * The amount band of the cache key: whole major units on a log scale (1, 2, 5, 10, 20, 50 …), so carts that
     * differ by shipping share an answer. Routing rules' amount bounds are round numbers in practice; a cart near
     * one may see the neighbouring answer for CACHE_SECONDS, and the relay still refuses an unroutable method at
     * payment with a message the shopper reads.
     */
    public static function amount_band(?int $amount_minor, string $currency): string
    {
        if ($amount_minor === null) {
            return 'any';
        }
        $major = intdiv(max(0, $amount_minor), 10 ** Money::exponent($currency));
        if ($major < 1) {
            return '0';
        }
        // The largest of 1, 2, 5, 10, 20, 50 … not above the amount.
        $magnitude = 10 ** (strlen((string) $major) - 1);
        $step = $major >= 5 * $magnitude ? 5 : ($major >= 2 * $magnitude ? 2 : 1);
        return (string) ($step * $magnitude);
    }

    public static function cache_key(string $currency, string $country, ?int $amount_minor): string
    {
        $country = $country === '' ? 'xx' : $country;
        $band = self::amount_band($amount_minor, $currency);
        return self::TRANSIENT_PREFIX . strtolower($currency . '_' . $country . '_' . $band);
    }

    /**
     * @return array{state: string, routable: string[], at: int}
     *     state: `known` (routable is the relay's answer), `unknown` (no such endpoint), `unreachable`
     */
    private function answer(string $currency, string $country, ?int $amount_minor): array
    {
        $now = (int) call_user_func($this->now);
        $key = self::cache_key($currency, $country, $amount_minor);
        $cached = get_transient($key);
        // Transients may outlive their expiry on some object caches; the stored time is what counts.
        $fresh = is_array($cached) && isset($cached['at'], $cached['state'])
            && $now - (int) $cached['at'] < self::CACHE_SECONDS;
        if ($fresh) {
            return [
                'state' => (string) $cached['state'],
                'routable' => array_map('strval', (array) ($cached['routable'] ?? [])),
                'at' => (int) $cached['at'],
            ];
        }
        $result = $this->client->routable_methods($currency, $country, $amount_minor);
        $answer = ['state' => 'unreachable', 'routable' => [], 'at' => $now];
        if ($result->ok) {
            $answer = ['state' => 'known', 'routable' => self::routable($result), 'at' => $now];
        } elseif ($result->http_status === 404) {
            $answer['state'] = 'unknown';
        }
        set_transient($key, $answer, self::CACHE_SECONDS);
        return $answer;
    }

    /** @return string[] */
    private static function routable(RelayResult $result): array
    {
        $out = [];
        foreach ((array) ($result->data['methods'] ?? []) as $entry) {
            if (is_array($entry) && !empty($entry['routable']) && is_string($entry['method'] ?? null)) {
                $out[] = $entry['method'];
            }
        }
        return $out;
    }
}
