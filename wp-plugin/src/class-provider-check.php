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
     * `woocommerce_cancel_unpaid_order`: WooCommerce's hold-stock timer (wc_cancel_unpaid_orders) asks this for each
     * pending order older than the hold time, with `created_via === 'checkout'` as its default answer. Orders from
     * the block checkout (`store-api`) would never be cancelled, holding stock for ever; for this gateway's orders
     * the same rule applies to both checkouts. Either way the order is cancelled only when the relay confirms that no
     * payment is paid or still open, and the decision is written on the order (once per distinct decision).
     *
     * @param mixed $cancel WooCommerce's own answer
     * @param mixed $order
     */
    public function filter_cancel_unpaid($cancel, $order): bool
    {
        if (!$order instanceof \WC_Order || $order->get_payment_method() !== Contract::GATEWAY_ID) {
            return (bool) $cancel;
        }
        $store_api = method_exists($order, 'get_created_via') && $order->get_created_via() === 'store-api';
        if (!$cancel && !$store_api) {
            return false;
        }
        $result = $this->client->check_order($order->get_id());
        if (!$result->ok) {
            // Fail closed: cancelling a paid order is worse than holding stock until the next run asks again.
            $this->log->warning('kept unpaid order: relay check failed', [
                'order_id' => $order->get_id(),
                'reason' => $result->describe(),
            ]);
            OrderNotes::add_unless_repeated($order, 'hold_stock', 'unreachable:' . $result->error_code, sprintf(
                /* translators: 1: what went wrong, 2: error code and details for developers */
                __(
                    'Kept this unpaid order instead of cancelling it: Payrelay could not ask the relay whether it '
                    . 'was paid (%1$s). WooCommerce asks again at its next hold-stock run. Detail: %2$s',
                    'payrelay'
                ),
                RelayProblems::sentence($result),
                $result->describe()
            ));
            return false;
        }
        $status = self::text($result->data, 'status');
        if (self::keeps_order($result->data)) {
            OrderNotes::add_unless_repeated($order, 'hold_stock', 'kept:' . $status, sprintf(
                /* translators: %s: payment status at the provider, in words */
                __('Not cancelled for non-payment: the payment is %s at the provider.', 'payrelay'),
                ProviderNames::status($status)
            ));
            return false;
        }
        OrderNotes::add_unless_repeated($order, 'hold_stock', 'cancel:' . $status, sprintf(
            /* translators: %s: payment status at the provider, in words */
            __(
                'The hold-stock time is over and no payment is paid or open at the provider (last payment: %s): '
                . 'the order is cancelled for non-payment.',
                'payrelay'
            ),
            ProviderNames::status($status)
        ));
        return true;
    }

    /**
     * @param array<string, mixed> $check the relay's /v1/orders/{id}/check answer
     */
    public static function keeps_order(array $check): bool
    {
        return !empty($check['paid']) || !empty($check['open']);
    }

    /**
     * "Check payment at provider" (order screen button and order action, and each order of the bulk action).
     * Adds a note only when the answer differs from the last check's, and says what changed.
     *
     * @return array{ok: bool, changed: bool, status: string, message: string, order_status: string,
     *     order_status_label: string}
     */
    public function check_and_note(\WC_Order $order): array
    {
        $result = $this->client->check_order($order->get_id());
        if (!$result->ok) {
            $message = sprintf(
                /* translators: %s: what went wrong */
                __('The payment could not be checked: %s.', 'payrelay'),
                RelayProblems::sentence($result)
            );
            $changed = OrderNotes::add_unless_repeated(
                $order,
                'check',
                'error:' . $result->error_code,
                $message . ' ' . sprintf(
                    /* translators: %s: error code and details for developers */
                    __('Detail: %s', 'payrelay'),
                    $result->describe()
                )
            );
            return self::answer($order, false, $changed, 'unknown', $message);
        }
        $status = self::text($result->data, 'status');
        $sessions = [];
        foreach ((array) ($result->data['sessions'] ?? []) as $session) {
            if (is_array($session)) {
                $sessions[self::text($session, 'session_id')] = [
                    self::text($session, 'provider'),
                    self::text($session, 'status'),
                ];
            }
        }
        $fingerprint = (string) wp_json_encode([$status, !empty($result->data['open']), $sessions]);
        $previous = json_decode((string) OrderNotes::last($order, 'check'), true);
        $before = is_array($previous) && isset($previous[2]) && is_array($previous[2]) ? $previous[2] : [];
        $summary = sprintf(
            /* translators: %s: payment status at the provider, in words */
            __('the payment is %s at the provider', 'payrelay'),
            ProviderNames::status($status)
        );
        $changes = [];
        foreach ($sessions as $id => [$provider, $now]) {
            $was = isset($before[$id][1]) && is_string($before[$id][1]) ? $before[$id][1] : '';
            if ($was !== $now) {
                $changes[] = $was === ''
                    ? sprintf(
                        /* translators: 1: provider name, 2: session id, 3: status in words */
                        __('%1$s session %2$s: %3$s', 'payrelay'),
                        ProviderNames::provider($provider),
                        $id,
                        ProviderNames::status($now)
                    )
                    : sprintf(
                        /* translators: 1: provider name, 2: session id, 3: old status, 4: new status */
                        __('%1$s session %2$s: %3$s, now %4$s', 'payrelay'),
                        ProviderNames::provider($provider),
                        $id,
                        ProviderNames::status($was),
                        ProviderNames::status($now)
                    );
            }
        }
        $note = sprintf(
            /* translators: 1: "the payment is paid at the provider", 2: list of sessions and their statuses */
            __('Payment checked at the provider: %1$s. %2$s', 'payrelay'),
            $summary,
            $changes === [] ? __('No payment sessions.', 'payrelay') : implode('; ', $changes) . '.'
        );
        $changed = OrderNotes::add_unless_repeated($order, 'check', $fingerprint, $note);
        $message = $changed
            ? ucfirst($summary) . '. ' . ($changes === [] ? '' : implode('; ', $changes) . '. ')
                . __('A note was added; the relay brings the order up to date.', 'payrelay')
            : sprintf(
                /* translators: %s: "the payment is paid at the provider" */
                __('Nothing changed since the last check: %s. No note added.', 'payrelay'),
                $summary
            );
        return self::answer($order, true, $changed, $status, trim($message));
    }

    /**
     * @return array{ok: bool, changed: bool, status: string, message: string, order_status: string,
     *     order_status_label: string}
     */
    private static function answer(\WC_Order $order, bool $ok, bool $changed, string $status, string $message): array
    {
        // Read again: the relay may have repaired the order while it answered.
        $fresh = wc_get_order($order->get_id());
        $order_status = (string) ($fresh instanceof \WC_Order ? $fresh : $order)->get_status();
        return [
            'ok' => $ok,
            'changed' => $changed,
            'status' => $status,
            'message' => $message,
            'order_status' => $order_status,
            'order_status_label' => (string) wc_get_order_status_name($order_status),
        ];
    }

    /**
     * `wp_ajax_payrelay_check_payment`: the order screen's button. `peek` only reads the order's status, which the
     * button's script asks for a few times after a check, while the relay's outbox writes the repair.
     */
    public function ajax_check(): void
    {
        check_ajax_referer(self::ACTION, 'nonce');
        if (!current_user_can('edit_shop_orders')) {
            wp_send_json_error(['message' => __('You are not allowed to check payments.', 'payrelay')], 403);
            return;
        }
        $order_id = isset($_POST['order_id']) ? absint(wp_unslash($_POST['order_id'])) : 0;
        $order = $order_id > 0 ? wc_get_order($order_id) : false;
        if (!$order instanceof \WC_Order || $order->get_payment_method() !== Contract::GATEWAY_ID) {
            wp_send_json_error(['message' => __('This order was not paid through Payrelay.', 'payrelay')], 404);
            return;
        }
        if (!empty($_POST['peek'])) {
            $status = (string) $order->get_status();
            wp_send_json_success([
                'order_status' => $status,
                'order_status_label' => (string) wc_get_order_status_name($status),
            ]);
            return;
        }
        wp_send_json_success($this->check_and_note($order));
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
            $answer = $this->check_and_note($order);
            // The order action runs inside the order form's save; its answer is shown after the redirect.
            set_transient(self::ACTION . '_' . get_current_user_id(), $answer['message'], 60);
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
        $key = self::ACTION . '_' . get_current_user_id();
        $single = get_transient($key);
        if (is_string($single) && $single !== '') {
            delete_transient($key);
            echo '<div class="notice notice-info is-dismissible"><p>' . esc_html($single) . '</p></div>';
        }
        // A count in the redirect WordPress made after the bulk action (its nonce was checked then).
        // phpcs:ignore WordPress.Security.NonceVerification.Recommended
        if (!isset($_GET[self::BULK_DONE_ARG])) {
            return;
        }
        // phpcs:ignore WordPress.Security.NonceVerification.Recommended
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
     * @param array<mixed> $row
     */
    private static function text(array $row, string $key): string
    {
        return isset($row[$key]) && is_scalar($row[$key]) ? (string) $row[$key] : '';
    }
}
