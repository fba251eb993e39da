<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * One name per provider and per payment status, in the words of the person reading an order screen. The provider
 * names are the relay's own (relay/src/domain/provider-names.ts), so a note from the relay and one from the plugin
 * name a provider alike.
 */
final class ProviderNames
{
    public static function provider(string $id): string
    {
        switch ($id) {
            case 'stripe':
                return 'Stripe';
            case 'mollie':
                return 'Mollie';
            case 'adyen':
                return 'Adyen';
            case 'paypal':
                return 'PayPal';
            case 'coinbase':
                return 'Coinbase Commerce';
            case 'sandbox':
                return __('Payrelay Sandbox', 'payrelay');
            default:
                return $id;
        }
    }

    public static function status(string $status): string
    {
        switch ($status) {
            case 'created':
                return __('not paid yet (the shopper has not finished)', 'payrelay');
            case 'pending':
                return __('being processed', 'payrelay');
            case 'paid':
                return __('paid', 'payrelay');
            case 'failed':
                return __('failed', 'payrelay');
            case 'expired':
                return __('expired without payment', 'payrelay');
            case 'cancelled':
                return __('cancelled', 'payrelay');
            case 'review':
                return __('held for review', 'payrelay');
            case 'refunded':
                return __('refunded', 'payrelay');
            case 'none':
                return __('not started (no payment session)', 'payrelay');
            default:
                return $status;
        }
    }
}
