<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * Asks the relay what the providers say about an order: before WooCommerce's hold-stock timer cancels it, and on
 * demand from the order screen (single and bulk). The relay repairs the order through its outbox; this only reads,
 * keeps, and notes.
 */
final class ProviderCheck
{
    public const ACTION = 'payrelay_check_payment';
    public const BULK_DONE_ARG = 'payrelay_checked';

    public function __construct(private RelayClient $client, private Log $log)
    {
    }

    /**
     * `woocommerce_cancel_unpaid_order`: keep the order when it is paid or still payable at the provider.
     *
     * @param mixed $cancel WooCommerce's own answer
     * @param mixed $order
     */
    public function filter_cancel_unpaid($cancel, $order): bool
    {
        if (!$cancel || !$order instanceof \WC_Order || $order->get_payment_method() !== Contract::GATEWAY_ID) {
            return (bool) $cancel;
        }
        $result = $this->client->check_order($order->get_id());
        if (!$result->ok) {
            // Fail closed: cancelling a paid order is worse than holding stock until the next run asks again.
            $this->log->warning('kept unpaid order: relay check failed', [
                'order_id' => $order->get_id(),
                'reason' => $result->describe(),
            ]);
            return false;
        }
        if (!self::keeps_order($result->data)) {
            return true;
        }
        $order->add_order_note(sprintf(
            /* translators: %s: payment status at the provider */
            __('Not cancelled for non-payment: the payment is %s at the provider.', 'payrelay'),
            self::status_text($result->data)
        ));
        $order->save();
        return false;
    }

    /**
     * @param array<string, mixed> $check the relay's /v1/orders/{id}/check answer
     */
    public static function keeps_order(array $check): bool
    {
        return !empty($check['paid']) || !empty($check['open']);
    }

    /**
     * `woocommerce_order_action_payrelay_check_payment`, and each order of the bulk action.
     */
    public function check_and_note(\WC_Order $order): RelayResult
    {
        $result = $this->client->check_order($order->get_id());
        if ($result->ok) {
            $sessions = [];
            foreach ((array) ($result->data['sessions'] ?? []) as $session) {
                if (is_array($session)) {
                    $sessions[] = sprintf(
                        '%s at %s: %s',
                        (string) ($session['session_id'] ?? '?'),
                        (string) ($session['provider'] ?? '?'),
                        (string) ($session['status'] ?? '?')
                    );
                }
            }
            $note = sprintf(
                /* translators: 1: payment status, 2: list of sessions */
                __('Payment checked at provider: %1$s. Sessions: %2$s.', 'payrelay'),
                self::status_text($result->data),
                $sessions === [] ? __('none', 'payrelay') : implode('; ', $sessions)
            );
        } else {
            $note = sprintf(
                /* translators: %s: error from the relay */
                __('Payment check at provider failed: %s', 'payrelay'),
                $result->describe()
            );
        }
        $order->add_order_note($note);
        $order->save();
        return $result;
    }

    /**
     * @param array<string, string> $actions
     * @param mixed $order
     * @return array<string, string>
     */
    public function add_order_action($actions, $order = null): array
    {
        $actions = is_array($actions) ? $actions : [];
        if ($order instanceof \WC_Order && $order->get_payment_method() !== Contract::GATEWAY_ID) {
            return $actions;
        }
        $actions[self::ACTION] = __('Check payment at provider', 'payrelay');
        return $actions;
    }

    /**
     * @param mixed $order
     */
    public function run_order_action($order): void
    {
        if ($order instanceof \WC_Order && current_user_can('edit_shop_orders')) {
            $this->check_and_note($order);
        }
    }

    /**
     * @param array<string, string> $actions
     * @return array<string, string>
     */
    public function add_bulk_action($actions): array
    {
        $actions = is_array($actions) ? $actions : [];
        $actions[self::ACTION] = __('Check payment at provider', 'payrelay');
        return $actions;
    }

    /**
     * WordPress has checked the bulk-action nonce before this filter runs.
     *
     * @param mixed $redirect_to
     * @param mixed $action
     * @param mixed $ids
     */
    public function handle_bulk_action($redirect_to, $action, $ids): string
    {
        $redirect_to = (string) $redirect_to;
        if ($action !== self::ACTION || !current_user_can('edit_shop_orders')) {
            return $redirect_to;
        }
        $checked = 0;
        foreach ((array) $ids as $id) {
            $order = wc_get_order(absint($id));
            if ($order instanceof \WC_Order && $order->get_payment_method() === Contract::GATEWAY_ID) {
                $this->check_and_note($order);
                $checked++;
            }
        }
        return add_query_arg(self::BULK_DONE_ARG, $checked, $redirect_to);
    }

    public function bulk_notice(): void
    {
        if (!isset($_GET[self::BULK_DONE_ARG])) {
            return;
        }
        $count = absint(wp_unslash($_GET[self::BULK_DONE_ARG]));
        echo '<div class="notice notice-info is-dismissible"><p>' . esc_html(sprintf(
            /* translators: %d: number of orders */
            _n(
                'Checked %d Payrelay order at the provider; see its notes.',
                'Checked %d Payrelay orders at the provider; see their notes.',
                $count,
                'payrelay'
            ),
            $count
        )) . '</p></div>';
    }

    /**
     * @param array<string, mixed> $check
     */
    private static function status_text(array $check): string
    {
        $status = isset($check['status']) && is_string($check['status']) ? $check['status'] : 'unknown';
        if (!empty($check['paid'])) {
            return $status . ' (' . __('paid', 'payrelay') . ')';
        }
        return !empty($check['open']) ? $status . ' (' . __('still open', 'payrelay') . ')' : $status;
    }
}
