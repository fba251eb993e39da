<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * What the shopper's return page says, for every (WooCommerce order status × latest payment status) pair: one
 * state, one headline, one message, whether to keep polling and whether to offer the pay page. Pure, so the whole
 * table is tested (tests/unit/ReturnStateTest.php).
 *
 * The order is the truth about the order (paid, cancelled, refunded, on hold); the relay's latest session is the
 * truth about the attempt in flight. "Latest" is the session the plugin started last (order meta), so after a
 * failed or expired attempt the page follows the new one. The page never says "paid" for an order WooCommerce
 * does not have as paid unless the relay's webhook path has already confirmed the money (`paid`), and never offers
 * the pay page for an order WooCommerce refuses to take payment for (only pending and failed are payable).
 */
final class ReturnState
{
    /** The relay has no session for this order (the shopper never reached a provider). */
    public const PAYMENT_NONE = 'none';
    /** The relay did not answer: keep confirming rather than guessing either way. */
    public const PAYMENT_UNKNOWN = 'unknown';

    public const ORDER_STATUSES = [
        'pending', 'failed', 'checkout-draft', 'on-hold', 'processing', 'completed', 'cancelled', 'refunded',
    ];

    /**
     * @param string $order_status WooCommerce's status, without `wc-`
     * @param string $payment_status a Contract status, PAYMENT_NONE or PAYMENT_UNKNOWN
     * @return array{state: string, headline: string, message: string, final: bool, payable: bool}
     */
    public static function resolve(string $order_status, string $payment_status): array
    {
        if (!Contract::is_known_status($payment_status) && $payment_status !== self::PAYMENT_NONE) {
            // Fail closed: a status this plugin does not know is "still confirming", never paid.
            $payment_status = self::PAYMENT_UNKNOWN;
        }
        switch ($order_status) {
            case 'processing':
            case 'completed':
                return $payment_status === 'refunded' ? self::state('refunded') : self::state('confirmed');
            case 'refunded':
                return self::state('order_refunded');
            case 'on-hold':
                return self::on_hold($payment_status);
            case 'cancelled':
                return self::cancelled($payment_status);
            case 'pending':
            case 'failed':
            case 'checkout-draft':
                return self::payable($payment_status);
            default:
                // A status another plugin added: say nothing about payment that the shop has not said.
                return self::state('order_received');
        }
    }

    /** @return array{state: string, headline: string, message: string, final: bool, payable: bool} */
    private static function payable(string $payment): array
    {
        switch ($payment) {
            case self::PAYMENT_NONE:
                return self::state('not_paid');
            case 'created':
            case 'pending':
            case self::PAYMENT_UNKNOWN:
                return self::state('confirming');
            case 'review':
                return self::state('review_pending');
            case 'paid':
                return self::state('paid_updating');
            case 'failed':
                return self::state('failed');
            case 'expired':
                return self::state('expired');
            case 'cancelled':
                return self::state('abandoned');
            case 'refunded':
                return self::state('refunded');
        }
        return self::state('confirming');
    }

    /** @return array{state: string, headline: string, message: string, final: bool, payable: bool} */
    private static function on_hold(string $payment): array
    {
        switch ($payment) {
            case 'review':
                return self::state('review');
            case 'paid':
                return self::state('on_hold_paid');
            case 'created':
            case 'pending':
            case self::PAYMENT_UNKNOWN:
                return self::state('confirming');
        }
        return self::state('on_hold');
    }

    /** @return array{state: string, headline: string, message: string, final: bool, payable: bool} */
    private static function cancelled(string $payment): array
    {
        switch ($payment) {
            case 'paid':
                // A payment after the order was cancelled is still money: the relay restores the order.
                return self::state('paid_after_cancel');
            case 'created':
            case 'pending':
            case 'review':
            case self::PAYMENT_UNKNOWN:
                return self::state('confirming');
        }
        return self::state('cancelled');
    }

    /**
     * Every state's texts, written out as literals so translation tools find them.
     *
     * @return array{state: string, headline: string, message: string, final: bool, payable: bool}
     */
    public static function state(string $state): array
    {
        switch ($state) {
            case 'confirmed':
                return self::make(
                    $state,
                    __('Thank you. Your payment is confirmed.', 'payrelay'),
                    __('We have sent you an email with the details of your order.', 'payrelay'),
                    true,
                    false
                );
            case 'paid_updating':
                return self::make(
                    $state,
                    __('Thank you. Your payment is confirmed.', 'payrelay'),
                    __('We are updating your order; this page refreshes by itself.', 'payrelay'),
                    false,
                    false
                );
            case 'paid_after_cancel':
                return self::make(
                    $state,
                    __('Thank you. We received your payment.', 'payrelay'),
                    __(
                        'Your order had been cancelled before the payment arrived; we are restoring it and will '
                        . 'confirm by email.',
                        'payrelay'
                    ),
                    false,
                    false
                );
            case 'on_hold_paid':
                return self::make(
                    $state,
                    __('Thank you. Your payment is confirmed.', 'payrelay'),
                    __('The shop is checking your order before sending it; we will email you.', 'payrelay'),
                    true,
                    false
                );
            case 'confirming':
                return self::make(
                    $state,
                    __('Thank you. We are confirming your payment.', 'payrelay'),
                    __('This usually takes a few seconds; this page refreshes by itself.', 'payrelay'),
                    false,
                    false
                );
            case 'review_pending':
                return self::make(
                    $state,
                    __('Your payment is being reviewed.', 'payrelay'),
                    __('We will email you when it is confirmed; there is no need to pay again.', 'payrelay'),
                    false,
                    false
                );
            case 'review':
                return self::make(
                    $state,
                    __('Your payment is being reviewed.', 'payrelay'),
                    __('We will email you when it is confirmed; there is no need to pay again.', 'payrelay'),
                    true,
                    false
                );
            case 'not_paid':
                return self::make(
                    $state,
                    __('You have not paid for this order yet.', 'payrelay'),
                    __('Your order is saved. You can pay for it now.', 'payrelay'),
                    true,
                    true
                );
            case 'abandoned':
                return self::make(
                    $state,
                    __('You left the payment page before paying.', 'payrelay'),
                    __('Your order is saved. You can pay for it now, with this or another payment method.', 'payrelay'),
                    true,
                    true
                );
            case 'failed':
                return self::make(
                    $state,
                    __('Your payment did not go through.', 'payrelay'),
                    __('Your order is saved. You can try again, with this or another payment method.', 'payrelay'),
                    true,
                    true
                );
            case 'expired':
                return self::make(
                    $state,
                    __('Your payment session expired before you paid.', 'payrelay'),
                    __('Your order is saved. You can pay for it now.', 'payrelay'),
                    true,
                    true
                );
            case 'cancelled':
                return self::make(
                    $state,
                    __('This order was cancelled.', 'payrelay'),
                    __('It can no longer be paid. Please place a new order or contact us.', 'payrelay'),
                    true,
                    false
                );
            case 'on_hold':
                return self::make(
                    $state,
                    __('Your order is on hold.', 'payrelay'),
                    __('The shop will contact you about it.', 'payrelay'),
                    true,
                    false
                );
            case 'refunded':
                return self::make(
                    $state,
                    __('This payment was refunded.', 'payrelay'),
                    __('The money goes back to the way you paid.', 'payrelay'),
                    true,
                    false
                );
            case 'order_refunded':
                return self::make(
                    $state,
                    __('This order was refunded.', 'payrelay'),
                    __('The money goes back to the way you paid.', 'payrelay'),
                    true,
                    false
                );
            default:
                return self::make(
                    'order_received',
                    __('Thank you. Your order has been received.', 'payrelay'),
                    __('We will email you about its progress.', 'payrelay'),
                    true,
                    false
                );
        }
    }

    /** @return array{state: string, headline: string, message: string, final: bool, payable: bool} */
    private static function make(string $state, string $headline, string $message, bool $final, bool $payable): array
    {
        return [
            'state' => $state,
            'headline' => $headline,
            'message' => $message,
            'final' => $final,
            'payable' => $payable,
        ];
    }
}
