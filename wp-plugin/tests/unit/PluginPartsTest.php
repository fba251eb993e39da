<?php

namespace Payrelay\Tests;

use Payrelay\Autoloader;
use Payrelay\BlocksIntegration;
use Payrelay\Gateway;
use Payrelay\Log;
use Payrelay\Money;
use Payrelay\Plugin;

final class PluginPartsTest extends TestCase
{
    public function test_hooks_are_registered_in_one_place(): void
    {
        (new Plugin('/plugins/payrelay/payrelay.php', '0.1.0'))->register_hooks();
        $names = \PayrelayTestState::hook_names();
        foreach (
            [
                'before_woocommerce_init',
                'woocommerce_payment_gateways',
                'woocommerce_blocks_payment_method_type_registration',
                'woocommerce_thankyou_payrelay',
                'wp_ajax_payrelay_status',
                'wp_ajax_nopriv_payrelay_status',
                'woocommerce_cancel_unpaid_order',
                'woocommerce_order_actions',
                'woocommerce_order_action_payrelay_check_payment',
                'bulk_actions-woocommerce_page_wc-orders',
                'handle_bulk_actions-woocommerce_page_wc-orders',
                'bulk_actions-edit-shop_order',
                'add_meta_boxes',
                'wp_ajax_payrelay_diagnostics',
            ] as $hook
        ) {
            $this->assertContains($hook, $names, $hook);
        }
        $this->assertNotContains('wp_ajax_nopriv_payrelay_diagnostics', $names);
        $cancel = array_values(array_filter(\PayrelayTestState::$hooks, static fn ($h) => $h['hook'] === 'woocommerce_cancel_unpaid_order'));
        $this->assertSame(2, $cancel[0]['args']);
    }

    public function test_cancel_filter_is_wired_to_the_relay(): void
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = ['relay_url' => 'https://relay.test', 'shop_secret' => self::SECRET];
        (new Plugin('/p.php', '0.1.0'))->register_hooks();
        $hook = array_values(array_filter(\PayrelayTestState::$hooks, static fn ($h) => $h['hook'] === 'woocommerce_cancel_unpaid_order'))[0];
        \PayrelayTestState::queue_json(200, ['status' => 'paid', 'paid' => true, 'open' => false, 'sessions' => []]);
        $this->assertFalse(($hook['callback'])(true, $this->order()));
    }

    public function test_declares_hpos_and_blocks_compatibility(): void
    {
        (new Plugin('/plugins/payrelay/payrelay.php', '0.1.0'))->declare_compatibility();
        $this->assertSame([
            ['custom_order_tables', '/plugins/payrelay/payrelay.php', true],
            ['cart_checkout_blocks', '/plugins/payrelay/payrelay.php', true],
        ], \PayrelayTestState::$features);
    }

    public function test_adds_a_configured_gateway_instance(): void
    {
        $gateways = (new Plugin('/p.php', '0.1.0'))->add_gateway(['WC_Gateway_BACS']);
        $this->assertSame('WC_Gateway_BACS', $gateways[0]);
        $this->assertInstanceOf(Gateway::class, $gateways[1]);
        $this->assertSame('payrelay', $gateways[1]->id);
    }

    public function test_block_data_holds_no_secret(): void
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = [
            'enabled' => 'yes',
            'relay_url' => 'https://relay.internal',
            'shop_secret' => self::SECRET,
            'title' => 'Pay online',
            'description' => 'Hosted checkout',
            'methods' => ['card', 'crypto'],
        ];
        $blocks = new BlocksIntegration('/p.php', '0.1.0');
        $blocks->initialize();
        $this->assertTrue($blocks->is_active());
        $data = $blocks->get_payment_method_data();
        $this->assertSame([['value' => 'card', 'label' => 'Card'], ['value' => 'crypto', 'label' => 'Crypto']], $data['methods']);
        $encoded = (string) json_encode($data);
        $this->assertStringNotContainsString(self::SECRET, $encoded);
        $this->assertStringNotContainsString('relay.internal', $encoded);
        $this->assertSame(['payrelay-blocks'], $blocks->get_payment_method_script_handles());
        $this->assertContains('wc-blocks-registry', \PayrelayTestState::$scripts['payrelay-blocks']['deps']);
    }

    public function test_blocks_inactive_until_configured(): void
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = ['enabled' => 'yes', 'relay_url' => '', 'shop_secret' => ''];
        $blocks = new BlocksIntegration('/p.php', '0.1.0');
        $blocks->initialize();
        $this->assertFalse($blocks->is_active());
    }

    /** @return array<string, array{0: string, 1: string, 2: int}> */
    public static function amounts(): array
    {
        return [
            'EUR' => ['19.99', 'EUR', 1999],
            'float noise' => ['0.29', 'usd', 29],
            'JPY has no minor unit' => ['1500', 'JPY', 1500],
            'KWD has three' => ['1.234', 'KWD', 1234],
            'zero' => ['0.00', 'EUR', 0],
        ];
    }

    /**
     * @dataProvider amounts
     */
    public function test_minor_units(string $total, string $currency, int $minor): void
    {
        $this->assertSame($minor, Money::to_minor($total, $currency));
    }

    public function test_log_redacts_secrets_tokens_and_sensitive_keys(): void
    {
        $log = new Log(true, [self::SECRET]);
        $log->error('failed with ' . self::SECRET . ' on /v1/sessions/ps_1/status?token=st_x&a=1', [
            'status_token' => 'st_y',
            'nested' => ['order_key' => 'wc_order_k', 'order_id' => 7],
        ]);
        [$level, $line] = \PayrelayTestState::$logs[0];
        $this->assertSame('error', $level);
        foreach ([self::SECRET, 'st_x', 'st_y', 'wc_order_k'] as $secret) {
            $this->assertStringNotContainsString($secret, $line);
        }
        $this->assertStringContainsString('"order_id":7', $line);
    }

    public function test_log_is_silent_when_debug_is_off(): void
    {
        (new Log(false))->error('x');
        $this->assertSame([], \PayrelayTestState::$logs);
    }

    public function test_autoloader_maps_classes_to_wordpress_file_names(): void
    {
        $this->assertSame('/b/class-relay-signer.php', Autoloader::file_for('Payrelay\\RelaySigner', '/b'));
        $this->assertSame('/b/admin/class-timeline-box.php', Autoloader::file_for('Payrelay\\Admin\\TimelineBox', '/b/'));
        $this->assertNull(Autoloader::file_for('Other\\RelaySigner', '/b'));
    }

    public function test_uninstall_removes_the_settings(): void
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = ['enabled' => 'yes'];
        \PayrelayTestState::$options[\Payrelay\Admin\RelayHealth::OPTION] = ['checked_at' => 1];
        \PayrelayTestState::$scheduled[\Payrelay\Admin\RelayHealth::CRON_HOOK] = 1;
        \PayrelayTestState::$options['unrelated'] = 1;
        if (!defined('WP_UNINSTALL_PLUGIN')) {
            define('WP_UNINSTALL_PLUGIN', 'payrelay/payrelay.php');
        }
        require dirname(__DIR__, 2) . '/uninstall.php';
        $this->assertSame(['unrelated' => 1], \PayrelayTestState::$options);
        $this->assertSame([], \PayrelayTestState::$scheduled);
    }
}
