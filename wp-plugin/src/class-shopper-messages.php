<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * What a shopper reads. Status messages are the contract's texts written out as literals so translation tools find
 * them (tests check they equal Contract::DATA); error messages are the shopper half of "two messages per error".
 */
final class ShopperMessages
{
    public static function for_status(string $status): string
    {
        switch ($status) {
            case 'created':
                return __('We are waiting for your payment.', 'payrelay');
            case 'pending':
                return __('We are confirming your payment. This page refreshes by itself.', 'payrelay');
            case 'paid':
                return __('Your payment is confirmed. Thank you!', 'payrelay');
            case 'failed':
                return __('Your payment did not go through. You can try again with another method.', 'payrelay');
            case 'expired':
                return __('Your payment session expired before payment. You can try again.', 'payrelay');
            case 'cancelled':
                return __('The payment was cancelled. You can try again.', 'payrelay');
            case 'review':
                return __('Your payment is being reviewed. We will email you when it is confirmed.', 'payrelay');
            case 'refunded':
                return __('This payment was refunded.', 'payrelay');
            default:
                // Unknown status: say nothing that could read as "paid".
                return __('We are confirming your payment. This page refreshes by itself.', 'payrelay');
        }
    }

    /** The shopper's message for a failed session start, by the relay's error. */
    public static function for_start_error(RelayResult $result): string
    {
        if ($result->error_code === 'no_provider_available') {
            return __(
                'This payment method is not available for your order right now. Please choose another payment method.',
                'payrelay'
            );
        }
        if ($result->error_code === 'earlier_request_in_flight') {
            // Another checkout session for this order is still being created; the same attempt's retry gets it.
            return __('Your payment is already being prepared. Please wait a moment and try again.', 'payrelay');
        }
        if ($result->http_status === 400) {
            return __(
                'We could not start the payment because some order details were not accepted. '
                . 'Please check your billing details or choose another payment method.',
                'payrelay'
            );
        }
        // Unreachable relay, 5xx, a rejected shop secret or a malformed answer: the shopper cannot fix any of these.
        return __(
            'We could not start the payment right now. Please try again in a moment or choose another payment method.',
            'payrelay'
        );
    }
}
