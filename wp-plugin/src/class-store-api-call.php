<?php

namespace Payrelay;

use Automattic\WooCommerce\StoreApi\Payments\PaymentContext;

defined('ABSPATH') || exit;

/**
 * Remembers, for the current request, that the block checkout (WooCommerce's Store API) is about to call our
 * process_payment. The two checkouts want failures told differently:
 * - the classic checkout and the order-pay page show the notices added with wc_add_notice() next to a
 *   `failure` result (WC_Checkout::process_order_payment, WC_Form_Handler::pay_action; the order-pay page has
 *   no try/catch, so an exception there would be a fatal error);
 * - the Store API (WooCommerce 8.9 `src/StoreApi/Legacy.php::process_legacy_payment`) clears those notices with
 *   wc_clear_notices() after process_payment returns and reads `$result['redirect']`; only an exception thrown from
 *   process_payment reaches the shopper, through CheckoutTrait::process_payment's catch, as a RouteException
 *   `woocommerce_rest_checkout_process_payment_error` (HTTP 400) whose message the block checkout shows.
 * `woocommerce_rest_checkout_process_payment_with_context` is the action that Legacy itself hooks at priority 999;
 * ours runs at 10, before it, with the same PaymentContext.
 */
final class StoreApiCall
{
    private static bool $active = false;

    /**
     * @param mixed $context Automattic\WooCommerce\StoreApi\Payments\PaymentContext
     */
    public static function begin($context): void
    {
        // PaymentContext exposes payment_method through __get only (no __isset), so it is read, not isset().
        self::$active = $context instanceof PaymentContext && $context->payment_method === Contract::GATEWAY_ID;
    }

    public static function active(): bool
    {
        return self::$active;
    }

    /** Tests run many checkouts in one PHP process; WordPress runs one per request. */
    public static function reset(): void
    {
        self::$active = false;
    }
}
