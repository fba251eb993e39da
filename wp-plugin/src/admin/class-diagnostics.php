<?php

namespace Payrelay\Admin;

use Payrelay\Format;
use Payrelay\RelayClient;
use Payrelay\RelayResult;

defined('ABSPATH') || exit;

/**
 * The "Diagnostics" section under the gateway settings: is the relay reachable and does it accept our secret, can it
 * reach this shop's REST API, when did each provider last send a webhook, which alerts are open, and does a test event
 * make it all the way back. Runs on a button press (admin-ajax), not on every settings page load.
 */
final class Diagnostics
{
    public const AJAX_ACTION = 'payrelay_diagnostics';
    public const NONCE_ACTION = 'payrelay_diagnostics';

    public function __construct(private RelayClient $client, private string $plugin_file, private string $version)
    {
    }

    public function render_section(): void
    {
        if (!current_user_can('manage_woocommerce')) {
            return;
        }
        wp_enqueue_script(
            'payrelay-diagnostics',
            plugins_url('assets/js/admin-diagnostics.js', $this->plugin_file),
            [],
            $this->version,
            true
        );
        wp_localize_script('payrelay-diagnostics', 'payrelayDiagnostics', [
            'ajaxUrl' => admin_url('admin-ajax.php'),
            'action' => self::AJAX_ACTION,
            'nonce' => wp_create_nonce(self::NONCE_ACTION),
            'running' => __('Running...', 'payrelay'),
        ]);
        echo '<h3 id="payrelay-diagnostics">' . esc_html__('Diagnostics', 'payrelay') . '</h3>'
            . '<p>' . esc_html__('Save the settings first; the checks use the saved relay URL and secret.', 'payrelay')
            . '</p><p><button type="button" class="button" data-payrelay-check="checks">'
            . esc_html__('Run checks', 'payrelay') . '</button></p>'
            . '<div class="payrelay-diagnostics__result" data-payrelay-result="checks"></div>'
            . '<p><label>' . esc_html__('Order ID for the test event', 'payrelay')
            . ' <input type="number" min="1" class="small-text" data-payrelay-order /></label> '
            . '<button type="button" class="button" data-payrelay-check="test_event">'
            . esc_html__('Send test event', 'payrelay') . '</button></p>'
            . '<div class="payrelay-diagnostics__result" data-payrelay-result="test_event"></div>';
    }

    public function ajax(): void
    {
        if (!current_user_can('manage_woocommerce')) {
            wp_send_json_error(['message' => __('You are not allowed to run Payrelay diagnostics.', 'payrelay')], 403);
            return;
        }
        check_ajax_referer(self::NONCE_ACTION, 'nonce');
        $check = isset($_POST['check']) ? sanitize_key(wp_unslash($_POST['check'])) : '';
        if ($check === 'test_event') {
            $order_id = isset($_POST['order_id']) ? absint(wp_unslash($_POST['order_id'])) : 0;
            if ($order_id === 0) {
                $message = __('Enter the ID of an order to send the test event for.', 'payrelay');
                wp_send_json_error(['message' => $message], 400);
                return;
            }
            wp_send_json_success(['html' => $this->test_event_html($order_id)]);
            return;
        }
        if ($check === 'resolve_alert') {
            $alert_id = isset($_POST['alert_id']) ? absint(wp_unslash($_POST['alert_id'])) : 0;
            $result = $this->client->resolve_alert($alert_id);
            if (!$result->ok) {
                wp_send_json_error(['message' => self::explain($result)], 502);
                return;
            }
            wp_send_json_success(['html' => esc_html__('Dismissed.', 'payrelay')]);
            return;
        }
        wp_send_json_success(['html' => $this->checks_html()]);
    }

    public function checks_html(): string
    {
        $ping = $this->client->ping();
        $rows = [self::row(
            __('Relay reachable and shop secret accepted', 'payrelay'),
            $ping,
            $ping->ok ? sprintf(
                /* translators: 1: relay version, 2: relay mode (test or live) */
                __('version %1$s, %2$s mode', 'payrelay'),
                self::text($ping->data, 'version'),
                self::text($ping->data, 'mode')
            ) : self::explain($ping)
        )];
        if (!$ping->ok) {
            // Everything below needs a relay that accepts us; saying so once is clearer than three more failures.
            return self::table($rows);
        }

        $shop = $this->client->shop_check();
        $shop_ok = $shop->ok && !empty($shop->data['ok']);
        $shop_error = isset($shop->data['error']) && is_array($shop->data['error']) ? $shop->data['error'] : [];
        $rows[] = self::row(
            __('Relay can reach this shop\'s REST API', 'payrelay'),
            $shop_ok,
            $shop_ok
                ? sprintf(__('%d ms', 'payrelay'), (int) ($shop->data['latency_ms'] ?? 0))
                : ($shop->ok
                    ? self::text($shop_error, 'code') . ': ' . self::text($shop_error, 'message')
                    : self::explain($shop))
        );

        $overview = $this->client->diagnostics();
        if (!$overview->ok) {
            $rows[] = self::row(__('Relay status', 'payrelay'), $overview, self::explain($overview));
            return self::table($rows);
        }
        foreach ((array) ($overview->data['last_webhook_at'] ?? []) as $provider => $at) {
            $rows[] = self::row(
                sprintf(__('Last webhook from %s', 'payrelay'), (string) $provider),
                null,
                is_string($at) && $at !== '' ? Format::time($at) : __('never', 'payrelay')
            );
        }
        $outbox = (array) ($overview->data['outbox'] ?? []);
        $dead = (int) ($outbox['dead'] ?? 0);
        $rows[] = self::row(
            __('Order updates waiting to reach the shop', 'payrelay'),
            $dead === 0,
            sprintf(
                /* translators: 1: pending updates, 2: updates that gave up */
                __('%1$d pending, %2$d given up', 'payrelay'),
                (int) ($outbox['pending'] ?? 0),
                $dead
            )
        );
        return self::table($rows) . self::alerts_html((array) ($overview->data['alerts'] ?? []));
    }

    public function test_event_html(int $order_id): string
    {
        $result = $this->client->test_event($order_id);
        if (!$result->ok) {
            return self::table([self::row(__('Test event', 'payrelay'), $result, self::explain($result))]);
        }
        $rows = [];
        foreach ((array) ($result->data['stages'] ?? []) as $stage) {
            if (!is_array($stage)) {
                continue;
            }
            $detail = trim(Format::time(self::text($stage, 'at')) . ' ' . self::text($stage, 'detail'));
            $rows[] = self::row(self::text($stage, 'stage'), !empty($stage['ok']), $detail);
        }
        $summary = !empty($result->data['ok'])
            ? __('The test event went all the way through.', 'payrelay')
            : __('The test event stopped at the first stage marked as failed.', 'payrelay');
        return '<p>' . esc_html($summary) . '</p>' . self::table($rows);
    }

    /**
     * @param array<mixed> $alerts
     */
    private static function alerts_html(array $alerts): string
    {
        if ($alerts === []) {
            return '<p>' . esc_html__('No open alerts.', 'payrelay') . '</p>';
        }
        $html = '<h4>' . esc_html__('Open alerts', 'payrelay') . '</h4><ul class="payrelay-alerts">';
        foreach ($alerts as $alert) {
            if (is_array($alert)) {
                $id = absint(self::text($alert, 'id'));
                $dismiss = $id > 0
                    ? ' <button type="button" class="button-link" data-payrelay-dismiss="' . esc_attr((string) $id)
                        . '">' . esc_html__('Dismiss', 'payrelay') . '</button>'
                    : '';
                $html .= '<li>' . esc_html(sprintf(
                    /* translators: 1: time, 2: order id, 3: alert code, 4: message */
                    __('%1$s - order %2$s - %3$s: %4$s', 'payrelay'),
                    Format::time(self::text($alert, 'at')),
                    self::text($alert, 'order_id'),
                    self::text($alert, 'code'),
                    self::text($alert, 'message')
                )) . $dismiss . '</li>';
            }
        }
        return $html . '</ul>';
    }

    /**
     * @param RelayResult|bool|null $ok null for rows that are information, not a pass or fail
     * @return array{0: string, 1: bool|null, 2: string}
     */
    private static function row(string $label, RelayResult|bool|null $ok, string $detail): array
    {
        return [$label, $ok instanceof RelayResult ? $ok->ok : $ok, $detail];
    }

    /**
     * @param array<array{0: string, 1: bool|null, 2: string}> $rows
     */
    private static function table(array $rows): string
    {
        $html = '<table class="widefat striped payrelay-diagnostics"><tbody>';
        foreach ($rows as [$label, $ok, $detail]) {
            $mark = $ok === null ? '' : ($ok ? __('OK', 'payrelay') : __('Failed', 'payrelay'));
            $html .= '<tr><th scope="row">' . esc_html($label) . '</th><td>' . esc_html($mark) . '</td><td>'
                . esc_html($detail) . '</td></tr>';
        }
        return $html . '</tbody></table>';
    }

    /** A hint for the failures a merchant can fix from this screen. */
    private static function explain(RelayResult $result): string
    {
        switch ($result->error_code) {
            case 'not_configured':
                return __('Enter the relay URL and shop secret above and save.', 'payrelay');
            case 'relay_unreachable':
                return sprintf(
                    /* translators: %s: network error */
                    __('The relay could not be reached (%s). Check the relay URL.', 'payrelay'),
                    $result->error_message
                );
            case 'bad_signature':
            case 'missing_signature':
                return __('The relay refused the shop secret. Use the same value as PAYRELAY_SHOP_SECRET.', 'payrelay');
            case 'stale_timestamp':
                return __('The relay and this shop disagree about the time by more than 5 minutes.', 'payrelay');
            default:
                return $result->describe();
        }
    }

    /**
     * @param array<mixed> $row
     */
    private static function text(array $row, string $key): string
    {
        return isset($row[$key]) && is_scalar($row[$key]) ? (string) $row[$key] : '';
    }
}
