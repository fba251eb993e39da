<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * Order totals as integer minor units, the relay's amount format. The ISO 4217 exponents come from
 * data/currencies.json, a copy of the repository's shared/currencies.json that the relay reads too
 * (tests/unit/CurrencyTableTest.php fails when the two differ): the shop and the relay cannot disagree about decimals.
 */
final class Money
{
    /** @var array<string, int>|null */
    private static ?array $minor_units = null;

    public static function to_minor(string|float $total, string $currency): int
    {
        // round() absorbs binary float noise: 19.99 * 100 is 1998.9999999999998.
        return (int) round((float) $total * (10 ** self::exponent($currency)));
    }

    /** The ISO 4217 exponent; null for a code that is not ISO 4217 (the relay refuses such an order). */
    public static function minor_units(string $currency): ?int
    {
        return self::table()[strtoupper($currency)] ?? null;
    }

    /** Two decimals for a code outside ISO 4217, only so it can be shown; the relay refuses to take payment in it. */
    public static function exponent(string $currency): int
    {
        return self::minor_units($currency) ?? 2;
    }

    /** @return array<string, int> */
    private static function table(): array
    {
        if (self::$minor_units === null) {
            $json = json_decode((string) file_get_contents(dirname(__DIR__) . '/data/currencies.json'), true);
            self::$minor_units = is_array($json) && is_array($json['minor_units'] ?? null) ? $json['minor_units'] : [];
        }
        return self::$minor_units;
    }

    /**
     * A relay amount (minor units) as WooCommerce shows money: wc_price's HTML, with the currency's own decimals.
     * Print it through wp_kses_post; Money::text() is the plain-text form for notes and sentences.
     */
    public static function html(int $minor, string $currency): string
    {
        $exponent = self::exponent($currency);
        return (string) wc_price(
            $minor / (10 ** $exponent),
            ['currency' => strtoupper($currency), 'decimals' => $exponent]
        );
    }

    public static function text(int $minor, string $currency): string
    {
        return trim(html_entity_decode(wp_strip_all_tags(self::html($minor, $currency)), ENT_QUOTES, 'UTF-8'));
    }
}
