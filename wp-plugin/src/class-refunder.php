<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * Refunds from the order screen. WooCommerce has already recorded its refund when it asks the gateway; its id is the
 * idempotency key the relay refunds at the provider with, so asking twice refunds once, and the provider's refund
 * webhook is recognised by the relay as this same refund (no second refund record, no second note).
 */
final class Refunder
{
    public function __construct(private RelayClient $client, private Log $log)
    {
    }

    public static function from_settings(): self
    {
        $settings = Settings::load();
        $log = new Log($settings->debug, [$settings->shop_secret]);
        return new self(RelayClient::from_settings($settings, $log), $log);
    }

    /**
     * @param float|string|null $amount major units, as WooCommerce passes it
     * @return true|\WP_Error the error's message is shown to the merchant in the order screen
     */
    public function refund(\WC_Order $order, $amount, string $reason)
    {
        $currency = (string) $order->get_currency();
        $minor = $amount === null || $amount === '' ? 0 : Money::to_minor($amount, $currency);
        if ($minor <= 0) {
            return new \WP_Error(
                'payrelay_refund',
                __('Enter the amount to refund: Payrelay refunds a given amount, not "the rest".', 'payrelay')
            );
        }
        $refunds = $order->get_refunds();
        $refund = is_array($refunds) ? reset($refunds) : false;
        if (!is_object($refund) || !method_exists($refund, 'get_id')) {
            return new \WP_Error(
                'payrelay_refund',
                __('WooCommerce did not record this refund, so Payrelay cannot refund it at the provider.', 'payrelay')
            );
        }
        $exponent = Money::exponent($currency);
        $decimal = number_format($minor / (10 ** $exponent), $exponent, '.', '');
        $result = $this->client->refund_order((int) $order->get_id(), [
            'refund_id' => (string) $refund->get_id(),
            'amount' => $decimal,
            'currency' => $currency,
            'reason' => $reason,
        ]);
        if (!$result->ok) {
            $this->log->warning('refund of order ' . $order->get_id() . ' refused: ' . $result->describe());
            return new \WP_Error('payrelay_refund', $this->merchant_message($result));
        }
        $provider = ProviderNames::provider((string) ($result->data['provider'] ?? ''));
        $provider_refund = (string) ($result->data['provider_refund_id'] ?? '');
        $pending = ($result->data['status'] ?? '') === 'pending';
        // One note, written here: the provider's webhook for this refund adds none.
        $text = $pending
            /* translators: 1: amount, 2: provider name, 3: the provider's refund id */
            ? __('Refund of %1$s accepted by %2$s (refund %3$s); the money moves in the coming days.', 'payrelay')
            /* translators: 1: amount, 2: provider name, 3: the provider's refund id */
            : __('Refunded %1$s at %2$s (refund %3$s).', 'payrelay');
        $note = sprintf($text, Money::text($minor, $currency), $provider, $provider_refund);
        // The relay's words when there is more to say: this is a refund made earlier whose answer was lost.
        $said = $result->data['message'] ?? '';
        $extra = is_string($said) ? trim($said) : '';
        $order->add_order_note($extra === '' ? $note : $note . ' ' . $extra);
        return true;
    }

    /**
     * The relay's sentence when it refused on the merits (written for the merchant); ours when it was not reached,
     * and when an earlier refund of the order is still in flight (what to check before a second try).
     */
    private function merchant_message(RelayResult $result): string
    {
        if ($result->http_status === 0) {
            return __(
                'The Payrelay relay could not be reached, so nothing was refunded. Try again in a moment.',
                'payrelay'
            );
        }
        if ($result->http_status === 401) {
            return __(
                'The relay refused this shop\'s signature, so nothing was refunded: check the shop secret.',
                'payrelay'
            );
        }
        if ($result->error_code === 'earlier_refund_in_flight') {
            // Never asked again by itself: the relay dedupes by WooCommerce refund id, and a second click is a second
            // WooCommerce refund with a new id, so only the merchant can tell whether the earlier one was this money.
            if ($result->retry_after !== null && $result->retry_after > 0) {
                return sprintf(
                    /* translators: %d: seconds to wait, as the relay advised */
                    _n(
                        'An earlier refund of this order is still being made at the provider, so nothing was '
                        . 'refunded. Reload the order and check its refunds: if this one is still needed, try again '
                        . 'in %d second.',
                        'An earlier refund of this order is still being made at the provider, so nothing was '
                        . 'refunded. Reload the order and check its refunds: if this one is still needed, try again '
                        . 'in %d seconds.',
                        $result->retry_after,
                        'payrelay'
                    ),
                    $result->retry_after
                );
            }
            return __(
                'An earlier refund of this order is still being made at the provider. Wait a few seconds, '
                . 'reload the order and check its refunds before trying again.',
                'payrelay'
            );
        }
        if ($result->http_status >= 500 && $result->error_code !== 'provider_unavailable') {
            return sprintf(
                /* translators: %d: HTTP status */
                __('The Payrelay relay failed (HTTP %d), so nothing was refunded. Try again in a moment.', 'payrelay'),
                $result->http_status
            );
        }
        return $result->error_message;
    }
}
