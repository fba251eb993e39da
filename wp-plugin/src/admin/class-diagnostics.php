<?php

namespace Payrelay\Admin;

use Payrelay\Format;
use Payrelay\ProviderNames;
use Payrelay\RelayClient;
use Payrelay\RelayProblems;
use Payrelay\RelayResult;

defined('ABSPATH') || exit;

/**
 * The "Diagnostics" section under the gateway settings: is the relay reachable and does it accept our secret, can it
 * reach this shop's REST API, when did each provider last send a webhook, which alerts are open, and does a test event
 * make it all the way back. Runs on a button press (admin-ajax), not on every settings page load. The answers are
 * data (rows of label, pass/fail, detail); the browser script prints them as text, so nothing from the relay is ever
 * inserted as HTML.
 */
final class Diagnostics
{
    public const AJAX_ACTION = 'payrelay_diagnostics';
    public const NONCE_ACTION = 'payrelay_diagnostics';

    public function __construct(
        private RelayClient $client,
        private string $plugin_file,
        private string $version,
        private ?RelayHealth $health = null
    ) {
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
            'ok' => __('OK', 'payrelay'),
            'failed' => __('Failed', 'payrelay'),
            'dismiss' => __('Dismiss', 'payrelay'),
            'openAlerts' => __('Open alerts', 'payrelay'),
        ]);
        ?>
        <h3 id="payrelay-diagnostics"><?php esc_html_e('Diagnostics', 'payrelay'); ?></h3>
        <p><?php
            esc_html_e('Save the settings first; the checks use the saved relay URL and secret.', 'payrelay');
        ?></p>
        <p><button type="button" class="button" data-payrelay-check="checks"><?php
            esc_html_e('Run checks', 'payrelay');
        ?></button></p>
        <div class="payrelay-diagnostics__result" data-payrelay-result="checks"></div>
        <p><label><?php esc_html_e('Order number for the test event', 'payrelay'); ?>
            <input type="number" min="1" class="small-text" data-payrelay-order /></label>
            <button type="button" class="button" data-payrelay-check="test_event"><?php
                esc_html_e('Send test event', 'payrelay');
            ?></button></p>
        <div class="payrelay-diagnostics__result" data-payrelay-result="test_event"></div>
        <p><button type="button" class="button" data-payrelay-check="connect_webhooks"><?php
            esc_html_e('Connect webhooks (Stripe, PayPal, Adyen)', 'payrelay');
        ?></button></p>
        <p><button type="button" class="button" data-payrelay-check="rotate_webhooks"><?php
            esc_html_e('Connect and rotate signing secrets', 'payrelay');
        ?></button></p>
        <p class="description"><?php
            esc_html_e('Rotating gives Stripe a new endpoint secret and Adyen a new HMAC key.', 'payrelay');
            echo ' ';
            esc_html_e('The old ones keep verifying for 24 hours.', 'payrelay');
        ?></p>
        <div class="payrelay-diagnostics__result" data-payrelay-result="connect_webhooks"></div>
        <div class="payrelay-diagnostics__result" data-payrelay-result="rotate_webhooks"></div>
        <?php
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
                $message = __('Enter the number of an order to send the test event for.', 'payrelay');
                wp_send_json_error(['message' => $message], 400);
                return;
            }
            // A mistyped number would leave the relay with an order update it can never deliver (and a red row).
            if (!wc_get_order($order_id) instanceof \WC_Order) {
                $message = sprintf(
                    /* translators: %d: order number */
                    __('There is no order #%d in this shop; check the number. Nothing was sent.', 'payrelay'),
                    $order_id
                );
                wp_send_json_error(['message' => $message], 400);
                return;
            }
            wp_send_json_success($this->test_event($order_id));
            return;
        }
        if ($check === 'connect_webhooks' || $check === 'rotate_webhooks') {
            // The relay registers its own endpoints and keeps the secrets; only its report comes back here.
            $result = $this->client->connect_providers($check === 'rotate_webhooks');
            if (!$result->ok) {
                wp_send_json_error(['message' => self::explain($result)], 502);
                return;
            }
            $summary = isset($result->data['summary']) && is_array($result->data['summary'])
                ? array_map('strval', array_filter($result->data['summary'], 'is_scalar'))
                : [];
            wp_send_json_success(['message' => implode("\n", $summary)]);
            return;
        }
        if ($check === 'resolve_alert') {
            $alert_id = isset($_POST['alert_id']) ? absint(wp_unslash($_POST['alert_id'])) : 0;
            $result = $this->client->resolve_alert($alert_id);
            if (!$result->ok) {
                wp_send_json_error(['message' => self::explain($result)], 502);
                return;
            }
            wp_send_json_success(['message' => __('Dismissed.', 'payrelay')]);
            return;
        }
        wp_send_json_success($this->checks());
    }

    /**
     * @return array{rows: array<int, array{label: string, ok: bool|null, detail: string}>,
     *     alerts: array<int, array{id: int, text: string}>}
     */
    public function checks(): array
    {
        $ping = $this->client->ping();
        $this->health?->record($ping);
        $rows = [self::row(
            __('Relay reachable and shop secret accepted', 'payrelay'),
            $ping->ok,
            $ping->ok ? sprintf(
                /* translators: 1: relay version, 2: relay mode (test or live) */
                __('version %1$s, %2$s mode', 'payrelay'),
                self::text($ping->data, 'version'),
                self::text($ping->data, 'mode')
            ) : self::explain($ping)
        )];
        if (!$ping->ok) {
            // Everything below needs a relay that accepts us; saying so once is clearer than three more failures.
            return ['rows' => $rows, 'alerts' => []];
        }

        $shop = $this->client->shop_check();
        $shop_ok = $shop->ok && !empty($shop->data['ok']);
        $shop_error = isset($shop->data['error']) && is_array($shop->data['error']) ? $shop->data['error'] : [];
        $rows[] = self::row(
            __('Relay can reach this shop\'s REST API', 'payrelay'),
            $shop_ok,
            $shop_ok
                /* translators: %d: milliseconds */
                ? sprintf(__('%d ms', 'payrelay'), (int) ($shop->data['latency_ms'] ?? 0))
                : ($shop->ok
                    ? self::text($shop_error, 'message') . ' (' . self::text($shop_error, 'code') . ')'
                    : self::explain($shop))
        );

        $overview = $this->client->diagnostics();
        if (!$overview->ok) {
            $rows[] = self::row(__('Relay status', 'payrelay'), false, self::explain($overview));
            return ['rows' => $rows, 'alerts' => []];
        }
        foreach ((array) ($overview->data['last_webhook_at'] ?? []) as $provider => $at) {
            $rows[] = self::row(
                /* translators: %s: provider name */
                sprintf(__('Last webhook from %s', 'payrelay'), ProviderNames::provider((string) $provider)),
                null,
                is_string($at) && $at !== '' ? Format::time($at) : __('never', 'payrelay')
            );
        }
        $alerts = array_values(array_filter((array) ($overview->data['alerts'] ?? []), 'is_array'));
        $rows[] = self::outbox_row((array) ($overview->data['outbox'] ?? []), $alerts);
        return ['rows' => $rows, 'alerts' => self::alerts($alerts)];
    }

    /**
     * Red only while an order update that gave up has an open alert: once someone dismissed it (or the relay
     * delivered it), the row clears, and the count stays as history.
     *
     * @param array<mixed> $outbox
     * @param array<int, array<mixed>> $alerts
     * @return array{label: string, ok: bool|null, detail: string}
     */
    private static function outbox_row(array $outbox, array $alerts): array
    {
        $dead = (int) ($outbox['dead'] ?? 0);
        $open = count(array_filter($alerts, static fn (array $a): bool => self::text($a, 'code') === 'dead_letter'));
        $detail = sprintf(
            /* translators: 1: pending updates, 2: updates that gave up */
            __('%1$d pending, %2$d given up', 'payrelay'),
            (int) ($outbox['pending'] ?? 0),
            $dead
        );
        if ($dead > 0) {
            $detail .= ' ' . ($open > 0
                /* translators: %d: number of open alerts */
                ? sprintf(__('(%d not dismissed yet: see the alerts below)', 'payrelay'), $open)
                : __('(all dismissed)', 'payrelay'));
        }
        return self::row(__('Order updates waiting to reach the shop', 'payrelay'), $open === 0, $detail);
    }

    /**
     * @return array{rows: array<int, array{label: string, ok: bool|null, detail: string}>, summary: string}
     */
    public function test_event(int $order_id): array
    {
        $result = $this->client->test_event($order_id);
        if (!$result->ok) {
            return [
                'rows' => [self::row(__('Test event', 'payrelay'), false, self::explain($result))],
                'summary' => __('The test event could not be sent.', 'payrelay'),
            ];
        }
        $rows = [];
        foreach ((array) ($result->data['stages'] ?? []) as $stage) {
            if (is_array($stage)) {
                $detail = trim(Format::time(self::text($stage, 'at')) . ' ' . self::text($stage, 'detail'));
                $rows[] = self::row(self::text($stage, 'stage'), !empty($stage['ok']), $detail);
            }
        }
        $summary = !empty($result->data['ok'])
            ? __('The test event went all the way through.', 'payrelay')
            : __('The test event stopped at the first stage marked as failed.', 'payrelay');
        return ['rows' => $rows, 'summary' => $summary];
    }

    /**
     * @param array<int, array<mixed>> $alerts
     * @return array<int, array{id: int, text: string}>
     */
    private static function alerts(array $alerts): array
    {
        $out = [];
        foreach ($alerts as $alert) {
            $out[] = [
                // Only a positive integer can be dismissed; anything else is shown without a Dismiss button.
                'id' => absint(self::text($alert, 'id')) === (int) self::text($alert, 'id')
                    ? absint(self::text($alert, 'id')) : 0,
                'text' => sprintf(
                    /* translators: 1: time, 2: order number, 3: message, 4: alert code */
                    __('%1$s - order %2$s - %3$s (%4$s)', 'payrelay'),
                    Format::time(self::text($alert, 'at')),
                    self::text($alert, 'order_id'),
                    self::text($alert, 'message'),
                    self::text($alert, 'code')
                ),
            ];
        }
        return $out;
    }

    /**
     * @return array{label: string, ok: bool|null, detail: string}
     */
    private static function row(string $label, ?bool $ok, string $detail): array
    {
        return ['label' => $label, 'ok' => $ok, 'detail' => $detail];
    }

    /** A hint for the failures a merchant can fix from this screen, then the code for developers. */
    private static function explain(RelayResult $result): string
    {
        return ucfirst(RelayProblems::sentence($result)) . '. '
            /* translators: %s: error code and details for developers */
            . sprintf(__('Detail: %s', 'payrelay'), $result->describe());
    }

    /**
     * @param array<mixed> $row
     */
    private static function text(array $row, string $key): string
    {
        return isset($row[$key]) && is_scalar($row[$key]) ? (string) $row[$key] : '';
    }
}
