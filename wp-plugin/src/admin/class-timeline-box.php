<?php

namespace Payrelay\Admin;

use Payrelay\Contract;
use Payrelay\Format;
use Payrelay\RelayClient;

defined('ABSPATH') || exit;

/**
 * "Payment timeline" on the order screen (classic and HPOS): the relay's payment log for the order, so a merchant
 * can answer "what happened to this order?" without a developer. Everything from the relay is escaped.
 */
final class TimelineBox
{
    public function __construct(private RelayClient $client)
    {
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
        echo $this->html($order);
    }

    public function html(\WC_Order $order): string
    {
        $known = $order->get_payment_method() === Contract::GATEWAY_ID
            || (string) $order->get_meta(Contract::meta_key('session_id')) !== '';
        if (!$known) {
            return '<p>' . esc_html__('This order was not paid through Payrelay.', 'payrelay') . '</p>';
        }
        $result = $this->client->order_timeline($order->get_id());
        if (!$result->ok) {
            return '<p class="payrelay-error">' . esc_html(sprintf(
                /* translators: %s: error from the relay */
                __('Could not load the timeline from the relay: %s', 'payrelay'),
                $result->describe()
            )) . '</p>';
        }
        return self::sessions_html((array) ($result->data['sessions'] ?? []))
            . self::entries_html((array) ($result->data['entries'] ?? []));
    }

    /**
     * @param array<mixed> $sessions
     */
    private static function sessions_html(array $sessions): string
    {
        if ($sessions === []) {
            return '<p>' . esc_html__('No payment sessions yet.', 'payrelay') . '</p>';
        }
        $html = '<table class="widefat striped payrelay-sessions"><thead><tr>'
            . '<th>' . esc_html__('Session', 'payrelay') . '</th>'
            . '<th>' . esc_html__('Provider', 'payrelay') . '</th>'
            . '<th>' . esc_html__('Status', 'payrelay') . '</th>'
            . '<th>' . esc_html__('Amount', 'payrelay') . '</th>'
            . '<th>' . esc_html__('Created', 'payrelay') . '</th>'
            . '<th>' . esc_html__('Expires', 'payrelay') . '</th>'
            . '</tr></thead><tbody>';
        foreach ($sessions as $session) {
            if (!is_array($session)) {
                continue;
            }
            $html .= '<tr>'
                . '<td><code>' . esc_html(self::text($session, 'session_id')) . '</code></td>'
                . '<td>' . esc_html(self::text($session, 'provider')) . '</td>'
                . '<td>' . esc_html(self::text($session, 'status')) . '</td>'
                . '<td>' . esc_html(self::text($session, 'amount') . ' ' . self::text($session, 'currency')) . '</td>'
                . '<td>' . esc_html(Format::time(self::text($session, 'created_at'))) . '</td>'
                . '<td>' . esc_html(Format::time(self::text($session, 'expires_at'))) . '</td>'
                . '</tr>';
        }
        return $html . '</tbody></table>';
    }

    /**
     * @param array<mixed> $entries
     */
    private static function entries_html(array $entries): string
    {
        if ($entries === []) {
            return '';
        }
        $html = '<ol class="payrelay-timeline">';
        foreach ($entries as $entry) {
            if (!is_array($entry)) {
                continue;
            }
            $where = trim(self::text($entry, 'provider') . ' ' . self::text($entry, 'session_id'));
            $html .= '<li class="payrelay-timeline__entry payrelay-kind-' . esc_attr(self::text($entry, 'kind')) . '">'
                . '<time datetime="' . esc_attr(self::text($entry, 'at')) . '">'
                . esc_html(Format::time(self::text($entry, 'at'))) . '</time> '
                . '<strong>' . esc_html(self::text($entry, 'kind')) . '</strong> '
                . esc_html(self::text($entry, 'message'))
                . ($where === '' ? '' : ' <small>(' . esc_html($where) . ')</small>')
                . '</li>';
        }
        return $html . '</ol>';
    }

    /**
     * @param array<mixed> $row
     */
    private static function text(array $row, string $key): string
    {
        return isset($row[$key]) && is_scalar($row[$key]) ? (string) $row[$key] : '';
    }
}
