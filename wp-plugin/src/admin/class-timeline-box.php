<?php

namespace Payrelay\Admin;

use Payrelay\Contract;
use Payrelay\Format;
use Payrelay\Money;
use Payrelay\ProviderCheck;
use Payrelay\ProviderNames;
use Payrelay\RelayClient;
use Payrelay\RelayProblems;

defined('ABSPATH') || exit;

/**
 * "Payment timeline" on the order screen (classic and HPOS): the relay's payment log for the order in support's
 * words, and the "Check payment at provider" button, so a merchant can answer "what happened to this order?" without
 * a developer. Every value is escaped where it is printed.
 */
final class TimelineBox
{
    public function __construct(
        private RelayClient $client,
        private string $plugin_file = '',
        private string $version = ''
    ) {
    }

    public static function screen_id(): string
    {
        // With HPOS on this is woocommerce_page_wc-orders, else shop_order.
        return function_exists('wc_get_page_screen_id') ? wc_get_page_screen_id('shop-order') : 'shop_order';
    }

    public function register(): void
    {
        add_meta_box(
            'payrelay-timeline',
            __('Payment timeline', 'payrelay'),
            [$this, 'render'],
            self::screen_id(),
            'normal',
            'default'
        );
    }

    /**
     * @param mixed $post_or_order a WP_Post on the classic screen, a WC_Order on the HPOS screen
     */
    public function render($post_or_order): void
    {
        $order = $post_or_order instanceof \WC_Order ? $post_or_order : wc_get_order($post_or_order->ID ?? 0);
        if (!$order instanceof \WC_Order) {
            return;
        }
        $known = $order->get_payment_method() === Contract::GATEWAY_ID
            || (string) $order->get_meta(Contract::meta_key('session_id')) !== '';
        if (!$known) {
            echo '<p>' . esc_html__('This order was not paid through Payrelay.', 'payrelay') . '</p>';
            return;
        }
        $this->render_check_button($order);
        $result = $this->client->order_timeline($order->get_id());
        if (!$result->ok) {
            echo '<p class="payrelay-error">' . esc_html(sprintf(
                /* translators: %s: what went wrong */
                __('Could not load the timeline from the relay: %s.', 'payrelay'),
                RelayProblems::sentence($result)
            )) . '</p><p class="description">' . esc_html(sprintf(
                /* translators: %s: error code and details for developers */
                __('Detail: %s', 'payrelay'),
                $result->describe()
            )) . '</p>';
            return;
        }
        self::render_sessions((array) ($result->data['sessions'] ?? []));
        self::render_entries((array) ($result->data['entries'] ?? []));
    }

    private function render_check_button(\WC_Order $order): void
    {
        if (!current_user_can('edit_shop_orders')) {
            return;
        }
        if ($this->plugin_file !== '') {
            wp_enqueue_script(
                'payrelay-order-check',
                plugins_url('assets/js/admin-order-check.js', $this->plugin_file),
                [],
                $this->version,
                true
            );
            wp_localize_script('payrelay-order-check', 'payrelayOrderCheck', [
                'ajaxUrl' => admin_url('admin-ajax.php'),
                'action' => ProviderCheck::ACTION,
                'nonce' => wp_create_nonce(ProviderCheck::ACTION),
                'orderId' => $order->get_id(),
                'running' => __('Asking the provider...', 'payrelay'),
                'statusNow' => __('Order status now:', 'payrelay'),
            ]);
        }
        echo '<p><button type="button" class="button" data-payrelay-order-check>'
            . esc_html__('Check payment at provider', 'payrelay') . '</button></p>'
            . '<p class="payrelay-check__result" data-payrelay-check-result role="status" aria-live="polite"></p>';
    }

    /**
     * @param array<mixed> $sessions
     */
    private static function render_sessions(array $sessions): void
    {
        if ($sessions === []) {
            echo '<p>' . esc_html__('No payment sessions yet.', 'payrelay') . '</p>';
            return;
        }
        echo '<table class="widefat striped payrelay-sessions"><thead><tr>'
            . '<th>' . esc_html__('Provider', 'payrelay') . '</th>'
            . '<th>' . esc_html__('Payment', 'payrelay') . '</th>'
            . '<th>' . esc_html__('Amount', 'payrelay') . '</th>'
            . '<th>' . esc_html__('Started', 'payrelay') . '</th>'
            . '<th>' . esc_html__('Payable until', 'payrelay') . '</th>'
            . '</tr></thead><tbody>';
        foreach ($sessions as $session) {
            if (!is_array($session)) {
                continue;
            }
            $currency = self::text($session, 'currency');
            echo '<tr>'
                . '<td>' . esc_html(ProviderNames::provider(self::text($session, 'provider')))
                . '<br /><small class="payrelay-detail">' . esc_html(self::text($session, 'session_id'))
                . '</small></td>'
                . '<td>' . esc_html(ProviderNames::status(self::text($session, 'status'))) . '</td>'
                . '<td>';
            if (is_numeric($session['amount'] ?? null) && preg_match('/^[A-Za-z]{3}$/', $currency)) {
                // wc_price's markup, as WooCommerce prints money everywhere else.
                echo wp_kses_post(Money::html((int) $session['amount'], $currency));
            } else {
                echo esc_html(self::text($session, 'amount') . ' ' . $currency);
            }
            echo '</td>'
                . '<td>' . esc_html(Format::time(self::text($session, 'created_at'))) . '</td>'
                . '<td>' . esc_html(Format::time(self::text($session, 'expires_at'))) . '</td>'
                . '</tr>';
        }
        echo '</tbody></table>';
    }

    /**
     * @param array<mixed> $entries
     */
    private static function render_entries(array $entries): void
    {
        $shown = array_values(array_filter($entries, static fn ($entry): bool => is_array($entry)
            && !self::is_configuration_noise($entry)));
        if ($shown === []) {
            return;
        }
        echo '<ol class="payrelay-timeline">';
        foreach ($shown as $entry) {
            $kind = self::text($entry, 'kind');
            $provider = self::text($entry, 'provider');
            $detail = trim($kind . ' ' . self::text($entry, 'session_id'));
            echo '<li class="payrelay-timeline__entry">'
                . '<time datetime="' . esc_attr(self::text($entry, 'at')) . '">'
                . esc_html(Format::time(self::text($entry, 'at'))) . '</time> '
                . '<strong>' . esc_html(self::who($entry)) . '</strong>: '
                . esc_html(self::label($kind)) . '. '
                . esc_html(self::words(self::text($entry, 'message')))
                . '<br /><small class="payrelay-detail">' . esc_html($detail) . '</small>'
                . '</li>';
        }
        echo '</ol>';
    }

    /**
     * A provider skipped because it is not configured is a fact about the relay's setup, the same for every order:
     * it belongs on the diagnostics screen, not in each order's story (older relays logged it on every session).
     *
     * @param array<mixed> $entry
     */
    private static function is_configuration_noise(array $entry): bool
    {
        return self::text($entry, 'kind') === 'provider_attempt_failed'
            && str_contains(self::text($entry, 'message'), 'not configured');
    }

    /**
     * Who did it: a provider by its one name, or the relay itself for its own jobs (expiry, reconciliation, order
     * writes), which arrive as events of type `payrelay.*` or without a provider.
     *
     * @param array<mixed> $entry
     */
    private static function who(array $entry): string
    {
        $message = self::text($entry, 'message');
        $kind = self::text($entry, 'kind');
        if (str_contains($message, 'payrelay.session_expired') || $kind === 'session_expired') {
            return __('Payrelay expiry job', 'payrelay');
        }
        if ($kind === 'reconciled') {
            return __('Payrelay reconciliation job', 'payrelay');
        }
        if (in_array($kind, ['order_updated', 'order_update_retry', 'order_update_failed'], true)) {
            return __('Payrelay order updates', 'payrelay');
        }
        $provider = self::text($entry, 'provider');
        return $provider === '' ? __('Payrelay', 'payrelay') : ProviderNames::provider($provider);
    }

    public static function label(string $kind): string
    {
        switch ($kind) {
            case 'session_created':
                return __('Payment page created', 'payrelay');
            case 'provider_selected':
                return __('Provider chosen', 'payrelay');
            case 'routing_decision':
                return __('Routing order', 'payrelay');
            case 'provider_attempt_failed':
                return __('Provider not used', 'payrelay');
            case 'customer_redirected':
                return __('Shopper sent to the payment page', 'payrelay');
            case 'webhook_received':
                return __('Message from the provider', 'payrelay');
            case 'webhook_rejected':
                return __('Message refused (not from the provider)', 'payrelay');
            case 'webhook_ignored':
                return __('Message ignored', 'payrelay');
            case 'status_changed':
                return __('Payment status changed', 'payrelay');
            case 'order_updated':
                return __('Order updated', 'payrelay');
            case 'order_update_retry':
                return __('Order update will be retried', 'payrelay');
            case 'order_update_failed':
                return __('Order update gave up', 'payrelay');
            case 'session_expired':
                return __('Payment page expired', 'payrelay');
            case 'reconciled':
                return __('Checked with the provider', 'payrelay');
            case 'alert':
                return __('Needs attention', 'payrelay');
            case 'error':
                return __('Problem', 'payrelay');
            default:
                return __('Event', 'payrelay');
        }
    }

    /**
     * Amounts that older relays wrote in minor units ("1999 EUR (minor units)") as the shop shows money.
     */
    public static function words(string $message): string
    {
        return (string) preg_replace_callback(
            '/\b(\d+) ([A-Z]{3}) \(minor units\)/',
            static fn (array $m): string => Money::text((int) $m[1], $m[2]),
            $message
        );
    }

    /**
     * @param array<mixed> $row
     */
    private static function text(array $row, string $key): string
    {
        return isset($row[$key]) && is_scalar($row[$key]) ? (string) $row[$key] : '';
    }
}
