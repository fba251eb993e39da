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
        $currency = strtoupper($currency);
        $exponent = 2;
        if (in_array($currency, self::ZERO_DECIMAL, true)) {
            $exponent = 0;
        } elseif (in_array($currency, self::THREE_DECIMAL, true)) {
            $exponent = 3;
        }
        // round() absorbs binary float noise: 19.99 * 100 is 1998.9999999999998.
        return (int) round((float) $total * (10 ** $exponent));
    }
}
