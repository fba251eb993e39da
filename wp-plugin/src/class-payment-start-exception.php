<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * A payment that could not start, with the two messages every error has: getMessage() is the shopper's (safe to show,
 * translated), $reason is the merchant's (codes and details, for the order note and the log). Like
 * woocommerce-gateway-stripe's WC_Stripe_Exception.
 */
final class PaymentStartException extends \Exception
{
    public function __construct(string $shopper_message, public readonly string $reason)
    {
        parent::__construct($shopper_message);
    }
}
