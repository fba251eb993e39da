<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * The thank-you page after the provider sends the shopper back. Coming back proves nothing about payment, so this
 * only shows the relay's status (fetched by the shop server) and never changes the order: the relay's webhook path
 * does that.
 */
final class ReturnPage
{
    public const AJAX_ACTION = 'payrelay_status';

    public function __construct(private RelayClient $client, private string $plugin_file, private string $version)
    {
    }

    /**
     * What the shopper should see for an order, or null when WooCommerce already shows it as paid.
     *
     * @return array{status: string, final: bool, message: string, retry_url: string}|null
     */
    public function view(\WC_Order $order): ?array
    {
        if ($order->is_paid()) {
            return null;
        }
        $session_id = (string) $order->get_meta(Contract::meta_key('session_id'));
        $token = (string) $order->get_meta(Contract::meta_key('status_token'));
        if ($session_id === '' || $token === '') {
            return self::view_for_status('created', $order);
        }
        $result = $this->client->session_status($session_id, $token);
        if (!$result->ok || !isset($result->data['status']) || !is_string($result->data['status'])) {
            // The relay is briefly unreachable: keep confirming rather than guessing either way.
            return self::view_for_status('pending', $order);
        }
        return self::view_for_status($result->data['status'], $order);
    }

    /**
     * @return array{status: string, final: bool, message: string, retry_url: string}
     */
    public static function view_for_status(string $status, \WC_Order $order): array
    {
        // Fail closed: a status this plugin does not know is shown as "still confirming", never as paid.
        $known = Contract::is_known_status($status) ? $status : 'pending';
        $retry = in_array($known, Contract::RETRYABLE_STATUSES, true);
        return [
            'status' => $known,
            'final' => Contract::is_final($known),
            'message' => ShopperMessages::for_status($known),
            'retry_url' => $retry ? $order->get_checkout_payment_url() : '',
        ];
    }

    /**
     * @param mixed $order_id from `woocommerce_thankyou_payrelay`
     */
    public function render($order_id): void
    {
        $order = wc_get_order(absint($order_id));
        if (!$order instanceof \WC_Order) {
            return;
        }
        $view = $this->view($order);
        if ($view === null) {
            return;
        }
        echo self::html($view);
        if (!$view['final']) {
            $this->enqueue_poller($order);
        }
    }

    /**
     * @param array{status: string, final: bool, message: string, retry_url: string} $view
     */
    public static function html(array $view): string
    {
        $heading = $view['final'] ? '' : '<h2>' . esc_html__('We are confirming your payment', 'payrelay') . '</h2>';
        return '<section class="payrelay-return" data-payrelay-status="' . esc_attr($view['status']) . '">'
            . $heading
            . '<p class="payrelay-return__message" role="status" aria-live="polite">'
            . esc_html($view['message']) . '</p>'
            . '<p class="payrelay-return__retry"' . ($view['retry_url'] === '' ? ' hidden' : '') . '>'
            . '<a class="button" href="' . esc_url($view['retry_url']) . '">'
            . esc_html__('Try again, with this or another payment method', 'payrelay') . '</a></p>'
            . '</section>';
    }

    /**
     * The browser's poll, answered by the shop server asking the relay. The order key (already in the thank-you
     * URL) is the shopper's proof; a nonce would not help logged-out shoppers and the answer holds no personal data.
     */
    public function ajax_status(): void
    {
        $order_id = isset($_REQUEST['order_id']) ? absint(wp_unslash($_REQUEST['order_id'])) : 0;
        $key = isset($_REQUEST['key']) ? sanitize_text_field(wp_unslash($_REQUEST['key'])) : '';
        $order = $order_id > 0 ? wc_get_order($order_id) : false;
        if (
            !$order instanceof \WC_Order || $order->get_payment_method() !== Contract::GATEWAY_ID
            || $key === '' || !hash_equals($order->get_order_key(), $key)
        ) {
            wp_send_json_error(['message' => __('Order not found.', 'payrelay')], 404);
            return;
        }
        $view = $this->view($order) ?? self::view_for_status('paid', $order);
        wp_send_json_success($view);
    }

    private function enqueue_poller(\WC_Order $order): void
    {
        wp_enqueue_script(
            'payrelay-return',
            plugins_url('assets/js/return-page.js', $this->plugin_file),
            [],
            $this->version,
            true
        );
        wp_localize_script('payrelay-return', 'payrelayReturn', [
            'ajaxUrl' => admin_url('admin-ajax.php'),
            'action' => self::AJAX_ACTION,
            'orderId' => $order->get_id(),
            'key' => $order->get_order_key(),
            'intervalMs' => 4000,
            'maxPolls' => 75,
            'giveUpMessage' => __(
                'This is taking longer than usual. We will email you as soon as the payment is confirmed.',
                'payrelay'
            ),
        ]);
    }
}
