<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * A Retry-After header (RFC 9110 section 10.2.3) in seconds from now: delay-seconds, or an HTTP-date in any of its
 * three forms (a recipient must accept all three, RFC 9110 section 5.6.7). Anything else is no advice at all, so a
 * proxy's garbage never makes the plugin wait.
 */
final class RetryAfter
{
    /** IMF-fixdate, then the obsolete RFC 850 and asctime forms. */
    private const DATE_FORMATS = ['D, d M Y H:i:s \G\M\T', 'l, d-M-y H:i:s \G\M\T', 'D M j H:i:s Y'];

    /**
     * @param mixed $header what wp_remote_retrieve_header gave: '' when absent, an array when sent more than once
     * @param int $now unix seconds, for the date form
     * @return int|null seconds to wait (0 for a date already past), null without a readable header
     */
    public static function seconds($header, int $now): ?int
    {
        if (is_array($header)) {
            $header = reset($header);
        }
        if (!is_string($header)) {
            return null;
        }
        $value = trim($header);
        if (preg_match('/^\d{1,9}$/', $value) === 1) {
            return (int) $value;
        }
        $value = (string) preg_replace('/\s+/', ' ', $value);
        foreach (self::DATE_FORMATS as $format) {
            $date = \DateTimeImmutable::createFromFormat('!' . $format, $value, new \DateTimeZone('UTC'));
            $errors = \DateTimeImmutable::getLastErrors();
            $clean = $errors === false || ($errors['warning_count'] === 0 && $errors['error_count'] === 0);
            if ($date !== false && $clean) {
                return max(0, $date->getTimestamp() - $now);
            }
        }
        return null;
    }
}
