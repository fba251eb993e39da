<?php

namespace Payrelay\Admin;

use Payrelay\ProviderNames;
use Payrelay\RelayClient;
use Payrelay\RelayProblems;
use Payrelay\RelayResult;
use Payrelay\Settings;

defined('ABSPATH') || exit;

/**
 * Above the gateway's settings form: the relay's mode (test or live) and the methods it can route right now for the
 * shop's currency. Asked when the settings page opens (not on every admin page), with a short timeout. A relay
 * without GET /v1/methods (older than issue 9) still shows its mode, and says that it cannot list methods.
 */
final class SettingsStatus
{
    public function __construct(private RelayClient $client)
    {
    }

    /**
     * @return array{reachable: bool, mode: string, problem: string, methods: array<int, array{label: string,
     *     routable: bool, detail: string}>, methods_known: bool}
     */
    public function status(string $currency): array
    {
        $ping = $this->client->ping();
        if (!$ping->ok) {
            return [
                'reachable' => false,
                'mode' => '',
                'problem' => RelayProblems::sentence($ping),
                'methods' => [],
                'methods_known' => false,
            ];
        }
        $answer = $this->client->routable_methods($currency);
        return [
            'reachable' => true,
            'mode' => isset($ping->data['mode']) && is_string($ping->data['mode']) ? $ping->data['mode'] : '',
            'problem' => '',
            'methods' => $answer->ok ? self::methods($answer) : [],
            'methods_known' => $answer->ok,
        ];
    }

    /**
     * @return array<int, array{label: string, routable: bool, detail: string}>
     */
    private static function methods(RelayResult $answer): array
    {
        $out = [];
        foreach ((array) ($answer->data['methods'] ?? []) as $entry) {
            if (!is_array($entry) || !isset($entry['method']) || !is_string($entry['method'])) {
                continue;
            }
            $providers = array_map(
                static fn ($p): string => ProviderNames::provider((string) $p),
                array_filter((array) ($entry['providers'] ?? []), 'is_scalar')
            );
            $skipped = [];
            foreach ((array) ($entry['skipped'] ?? []) as $skip) {
                if (is_array($skip)) {
                    $skipped[] = ProviderNames::provider((string) ($skip['provider'] ?? '')) . ': '
                        . (string) ($skip['reason'] ?? '');
                }
            }
            $routable = !empty($entry['routable']);
            $out[] = [
                'label' => Settings::method_label($entry['method']),
                'routable' => $routable,
                'detail' => $routable ? implode(', ', $providers) : implode('; ', $skipped),
            ];
        }
        return $out;
    }

    public function render(string $currency): void
    {
        if (!current_user_can('manage_woocommerce')) {
            return;
        }
        $status = $this->status($currency);
        ?>
        <div class="payrelay-relay-status">
            <h3><?php esc_html_e('Relay', 'payrelay'); ?></h3>
            <?php if (!$status['reachable']) : ?>
                <p class="payrelay-relay-status__problem"><?php
                    /* translators: %s: what is wrong */
                    echo esc_html(sprintf(__('Not connected: %s.', 'payrelay'), $status['problem']));
                ?></p>
            <?php else : ?>
                <p><?php
                    echo esc_html($status['mode'] === 'live'
                        ? __('Live mode: payments are real.', 'payrelay')
                        : __('Test mode: no real money moves; use the providers\' test cards.', 'payrelay'));
                    ?></p>
                <?php if (!$status['methods_known']) : ?>
                    <p><?php
                        esc_html_e('This relay cannot list the methods it routes (update the relay).', 'payrelay');
                    ?></p>
                <?php else : ?>
                    <p><?php
                        /* translators: %s: currency code */
                        $intro = __('Methods the relay can route right now for %s:', 'payrelay');
                        echo esc_html(sprintf($intro, $currency));
                    ?></p>
                    <ul class="payrelay-relay-status__methods">
                        <?php foreach ($status['methods'] as $method) : ?>
                            <li><?php
                                echo esc_html(sprintf(
                                    /* translators: 1: method, 2: yes/no, 3: providers or reasons */
                                    __('%1$s: %2$s (%3$s)', 'payrelay'),
                                    $method['label'],
                                    $method['routable'] ? __('yes', 'payrelay') : __('no', 'payrelay'),
                                    $method['detail']
                                ));
                                ?></li>
                        <?php endforeach; ?>
                    </ul>
                <?php endif; ?>
            <?php endif; ?>
        </div>
        <?php
    }
}
