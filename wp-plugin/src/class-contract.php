<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * A copy of the repository's shared/contract.json. The plugin ships as a zip without that folder, so it carries the
 * values itself; tests/unit/ContractTest.php fails when the copy and the shared file drift apart.
 */
final class Contract
{
    public const GATEWAY_ID = 'payrelay';

    public const DATA = [
        'gateway_id' => 'payrelay',
        'text_domain' => 'payrelay',
        'statuses' => [
            'created' => [
                'final' => false,
                'shopper_message' => 'We are waiting for your payment.',
            ],
            'pending' => [
                'final' => false,
                'shopper_message' => 'We are confirming your payment. This page refreshes by itself.',
            ],
            'paid' => [
                'final' => true,
                'shopper_message' => 'Your payment is confirmed. Thank you!',
            ],
            'failed' => [
                'final' => true,
                'shopper_message' => 'Your payment did not go through. You can try again with another method.',
            ],
            'expired' => [
                'final' => true,
                'shopper_message' => 'Your payment session expired before payment. You can try again.',
            ],
            'cancelled' => [
                'final' => true,
                'shopper_message' => 'The payment was cancelled. You can try again.',
            ],
            'review' => [
                'final' => false,
                'shopper_message' => 'Your payment is being reviewed. We will email you when it is confirmed.',
            ],
            'refunded' => [
                'final' => true,
                'shopper_message' => 'This payment was refunded.',
            ],
        ],
        'order_meta_keys' => [
            'session_id' => '_payrelay_session_id',
            'provider' => '_payrelay_provider',
            'status_token' => '_payrelay_status_token',
            'expires_at' => '_payrelay_expires_at',
            'attempt' => '_payrelay_attempt',
        ],
        'headers' => [
            'timestamp' => 'X-Payrelay-Timestamp',
            'signature' => 'X-Payrelay-Signature',
            'idempotency_key' => 'Idempotency-Key',
            'shop' => 'X-Payrelay-Shop',
        ],
    ];

    /** Final statuses after which a new attempt is needed to pay the order. */
    public const RETRYABLE_STATUSES = ['failed', 'expired', 'cancelled'];

    public static function meta_key(string $name): string
    {
        return self::DATA['order_meta_keys'][$name];
    }

    public static function header(string $name): string
    {
        return self::DATA['headers'][$name];
    }

    public static function is_known_status(string $status): bool
    {
        return isset(self::DATA['statuses'][$status]);
    }

    public static function is_final(string $status): bool
    {
        return (bool) (self::DATA['statuses'][$status]['final'] ?? false);
    }
}
