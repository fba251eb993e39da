<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * What the relay needs to know about the payment being chosen, before there is an order: currency, the customer's
 * country and the amount. On the order-pay page it is that order; at checkout the cart and the customer's address as
 * typed so far (the classic checkout re-renders the payment fields on every address change). Null where there is no
 * shopper (wp-admin, cron): the gateway then offers the merchant's choice without asking the relay.
 */
final class CheckoutCart
{
    private function __construct(
        public readonly string $currency,
        public readonly string $country,
        public readonly ?int $amount_minor
    ) {
    }

    public static function current(): ?self
    {
        if (function_exists('is_checkout_pay_page') && is_checkout_pay_page()) {
            $order = wc_get_order(absint(get_query_var('order-pay')));
            if ($order instanceof \WC_Order) {
                return self::of(
                    (string) $order->get_currency(),
                    (string) $order->get_billing_country(),
                    (string) $order->get_total()
                );
            }
        }
        if (is_admin() && !wp_doing_ajax()) {
            return null;
        }
        $wc = function_exists('WC') ? WC() : null;
        $cart = $wc->cart ?? null;
        if (!is_object($cart)) {
            return null;
        }
        $customer = $wc->customer ?? null;
        $country = '';
        if (is_object($customer)) {
            $country = (string) $customer->get_billing_country();
            if ($country === '') {
                $country = (string) $customer->get_shipping_country();
            }
        }
        return self::of(get_woocommerce_currency(), $country, (string) $cart->get_total('edit'));
    }

    public static function of(string $currency, string $country, string $total): self
    {
        $currency = strtoupper($currency);
        $minor = Money::to_minor($total, $currency);
        $country = strtoupper($country);
        return new self(
            $currency,
            preg_match('/^[A-Z]{2}$/', $country) === 1 ? $country : '',
            // An empty cart (the order-pay page posts with none) says nothing about the amount.
            $minor > 0 ? $minor : null
        );
    }
}
