<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * A failed relay call in a sentence a shop owner or support person can act on. The code and details stay available
 * (RelayResult::describe) for a "Detail:" line meant for developers.
 */
final class RelayProblems
{
    public static function sentence(RelayResult $result): string
    {
        switch ($result->error_code) {
            case 'not_configured':
                return __(
                    'the relay URL or shop secret is not set in the Payrelay settings',
                    'payrelay'
                );
            case 'relay_unreachable':
                return __(
                    'the relay could not be reached; check the relay URL and that the relay is running',
                    'payrelay'
                );
            case 'bad_signature':
            case 'missing_signature':
            case 'shop_secret_not_configured':
                return __(
                    'the relay refused the shop secret; it must be the same value as PAYRELAY_SHOP_SECRET',
                    'payrelay'
                );
            case 'stale_timestamp':
                return __(
                    'the relay and this shop disagree about the time by more than 5 minutes',
                    'payrelay'
                );
            case 'bad_relay_answer':
                return __('the relay gave an answer the plugin could not read', 'payrelay');
            case 'no_provider_available':
                return __(
                    'no payment provider can take this payment method for this order',
                    'payrelay'
                );
            case 'order_not_found':
            case 'not_found':
                return __('the relay has no record of this order', 'payrelay');
        }
        if ($result->http_status >= 500) {
            return __('the relay or the payment providers are having a problem right now', 'payrelay');
        }
        return __('the relay refused the request', 'payrelay');
    }

    /** Problems that mean "the relay is down for this shop", as opposed to a refused request. */
    public static function is_outage(RelayResult $result): bool
    {
        return in_array(
            $result->error_code,
            [
                'relay_unreachable', 'bad_signature', 'missing_signature', 'shop_secret_not_configured',
                'stale_timestamp',
            ],
            true
        ) || $result->http_status >= 500;
    }
}
