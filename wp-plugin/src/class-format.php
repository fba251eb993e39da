<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * Relay timestamps (ISO 8601, UTC) shown in the shop's time zone.
 */
final class Format
{
    public static function time(string $iso): string
    {
        try {
            $time = new \DateTimeImmutable($iso);
        } catch (\Exception $e) {
            return $iso;
        }
        $zone = function_exists('wp_timezone') ? wp_timezone() : new \DateTimeZone('UTC');
        return $time->setTimezone($zone)->format('Y-m-d H:i:s T');
    }
}
