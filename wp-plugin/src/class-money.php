<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * Order totals as integer minor units, the relay's amount format (ISO 4217 exponents).
 */
final class Money
{
    private const ZERO_DECIMAL = [
        'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
    ];
    private const THREE_DECIMAL = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];

    public static function to_minor(string|float $total, string $currency): int
    {
        // round() absorbs binary float noise: 19.99 * 100 is 1998.9999999999998.
        return (int) round((float) $total * (10 ** self::exponent($currency)));
    }

    public static function exponent(string $currency): int
    {
        $currency = strtoupper($currency);
        if (in_array($currency, self::ZERO_DECIMAL, true)) {
            return 0;
        }
        return in_array($currency, self::THREE_DECIMAL, true) ? 3 : 2;
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
