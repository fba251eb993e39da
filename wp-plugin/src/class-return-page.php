<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * The thank-you page after the provider sends the shopper back, and the order-pay page they come back to when they
 * leave the provider's page. Coming back proves nothing about payment, so this only shows ReturnState's answer for
 * the order and the relay's latest session (fetched by the shop server) and never changes the order: the relay's
 * webhook path does that.
 *
 * One headline: WooCommerce's own "Thank you. Your order has been received." is replaced through
 * `woocommerce_thankyou_order_received_text`; for a failed order WooCommerce 8.9's checkout/thankyou.php prints a
 * fixed "Unfortunately your order cannot be processed…" block instead (no filter), so for those orders the page
 * hides that block and prints the headline in its own section, because the latest attempt may well be paid.
 */
final class ReturnPage
{
    public const AJAX_ACTION = 'payrelay_status';
    /** Added to the provider's cancel URL (the order-pay page), so that page can say the shopper left. */
    public const LEFT_CHECKOUT_ARG = 'payrelay_left';

    /** @var array<int, array<string, mixed>> one relay call per order and request (filter and action both ask) */
    private array $views = [];

    public function __construct(private RelayClient $client, private string $plugin_file, private string $version)
    {
    }

    /**
     * @return array{state: string, headline: string, message: string, final: bool, payable: bool,
     *     order_status: string, payment_status: string, pay_url: string}
     */
    public function view(\WC_Order $order, bool $fresh = false): array
    {
        $id = (int) $order->get_id();
        if (!$fresh && isset($this->views[$id])) {
            return $this->views[$id];
        }
        $order_status = (string) $order->get_status();
        $payment = $order->is_paid() ? 'paid' : $this->latest_payment_status($order);
        $state = ReturnState::resolve($order->is_paid() ? 'processing' : $order_status, $payment);
        $view = $state + [
            'order_status' => $order_status,
            'payment_status' => $payment,
            'pay_url' => $state['payable'] ? $order->get_checkout_payment_url() : '',
        ];
        return $this->views[$id] = $view;
    }

    /** The status of the session the plugin started last: after a failed or expired attempt, the new attempt. */
    private function latest_payment_status(\WC_Order $order): string
    {
        $session_id = (string) $order->get_meta(Contract::meta_key('session_id'));
        $token = (string) $order->get_meta(Contract::meta_key('status_token'));
        if ($session_id === '' || $token === '') {
            return ReturnState::PAYMENT_NONE;
        }
        $result = $this->client->session_status($session_id, $token);
        if (!$result->ok || !isset($result->data['status']) || !is_string($result->data['status'])) {
            return ReturnState::PAYMENT_UNKNOWN;
        }
        return $result->data['status'];
    }

    /**
     * `woocommerce_thankyou_order_received_text`: WooCommerce prints the returned HTML as it is, so it is built
     * from escaped parts here.
     *
     * @param mixed $text
     * @param mixed $order
     */
    public function received_text($text, $order): string
    {
        if (!$order instanceof \WC_Order || $order->get_payment_method() !== Contract::GATEWAY_ID) {
            return (string) $text;
        }
        return '<span class="payrelay-return__headline" data-payrelay-headline>'
            . esc_html($this->view($order)['headline']) . '</span>';
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
        // Failed orders get WooCommerce's fixed "declined" block instead of the received text (see class comment).
        $own_headline = $view['order_status'] === 'failed';
        if ($own_headline) {
            echo '<style>.woocommerce-thankyou-order-failed,.woocommerce-thankyou-order-failed-actions'
                . '{display:none}</style>';
        }
        ?>
        <section class="payrelay-return" data-payrelay-state="<?php echo esc_attr($view['state']); ?>">
            <?php if ($own_headline) : ?>
                <h2 class="payrelay-return__headline" data-payrelay-headline><?php
                    echo esc_html($view['headline']);
                ?></h2>
            <?php endif; ?>
            <p class="payrelay-return__message" role="status" aria-live="polite"><?php
                echo esc_html($view['message']);
            ?></p>
            <?php if ($view['pay_url'] === '') : ?>
            <p class="payrelay-return__pay" hidden>
            <?php else : ?>
            <p class="payrelay-return__pay">
            <?php endif; ?>
                <a class="button pay" href="<?php echo esc_url($view['pay_url']); ?>"><?php
                    esc_html_e('Pay for this order', 'payrelay');
                ?></a>
            </p>
        </section>
        <?php
        if (!$view['final']) {
            $this->enqueue_poller($order);
        }
    }

    /**
     * `before_woocommerce_pay`: the shopper left the provider's page (its cancel URL carries LEFT_CHECKOUT_ARG).
     * WooCommerce shows the order-pay form right below, which is the way to pay.
     */
    public function pay_page_notice(): void
    {
        // A flag in a link, not a form: nothing is changed, so there is no nonce to check.
        // phpcs:ignore WordPress.Security.NonceVerification.Recommended
        if (!isset($_GET[self::LEFT_CHECKOUT_ARG])) {
            return;
        }
        $state = ReturnState::state('abandoned');
        ?>
        <div class="woocommerce-info payrelay-left" role="status">
            <strong><?php echo esc_html($state['headline']); ?></strong>
            <?php esc_html_e('Your order is saved. Choose a payment method below to pay for it.', 'payrelay'); ?>
        </div>
        <?php
    }

    /**
     * The browser's poll, answered by the shop server asking the relay. The order key (already in the thank-you
     * URL) is the shopper's proof; a nonce would not help logged-out shoppers and the answer holds no personal data.
     */
    public function ajax_status(): void
    {
        // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the order key is the credential
        $order_id = isset($_REQUEST['order_id']) ? absint(wp_unslash($_REQUEST['order_id'])) : 0;
        // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the order key is the credential
        $key = isset($_REQUEST['key']) ? sanitize_text_field(wp_unslash($_REQUEST['key'])) : '';
        $order = $order_id > 0 ? wc_get_order($order_id) : false;
        if (
            !$order instanceof \WC_Order || $order->get_payment_method() !== Contract::GATEWAY_ID
            || $key === '' || !hash_equals($order->get_order_key(), $key)
        ) {
            wp_send_json_error(['message' => __('Order not found.', 'payrelay')], 404);
            return;
        }
        $view = $this->view($order, true);
        wp_send_json_success([
            'state' => $view['state'],
            'headline' => $view['headline'],
            'message' => $view['message'],
            'final' => $view['final'],
            'pay_url' => $view['pay_url'],
        ]);
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
