<?php

namespace Payrelay\Tests;

use Payrelay\Admin\Diagnostics;
use Payrelay\Admin\RelayHealth;
use Payrelay\Admin\SettingsStatus;
use Payrelay\Admin\TimelineBox;
use Payrelay\Gateway;
use Payrelay\Log;
use Payrelay\Plugin;
use Payrelay\ProviderCheck;
use Payrelay\SessionStarter;

/**
 * Every admin view, fed hostile values where the relay or a request supplies them: nothing arrives as markup.
 * Also the plugin list row and the settings screen's relay status.
 */
final class AdminViewsTest extends TestCase
{
    private const EVIL = '"><script>alert(1)</script><img src=x onerror=alert(2)>';

    private static function assert_inert(string $html): void
    {
        self::assertStringNotContainsString('<script', $html);
        self::assertStringNotContainsString('<img', $html);
        self::assertStringNotContainsString(self::EVIL, $html);
    }

    public function test_timeline_box_escapes_everything_the_relay_says(): void
    {
        $order = $this->order();
        \PayrelayTestState::queue_json(200, [
            'sessions' => [['session_id' => self::EVIL, 'provider' => self::EVIL, 'status' => self::EVIL, 'amount' => self::EVIL, 'currency' => self::EVIL, 'created_at' => self::EVIL, 'expires_at' => self::EVIL]],
            'entries' => [['at' => self::EVIL, 'kind' => self::EVIL, 'message' => self::EVIL, 'session_id' => self::EVIL, 'provider' => self::EVIL]],
        ]);
        self::assert_inert($this->output_of(fn () => (new TimelineBox($this->client()))->render($order)));
    }

    public function test_relay_health_notice_escapes_the_stored_problem(): void
    {
        \PayrelayTestState::$options[RelayHealth::OPTION] = ['checked_at' => 100, 'failing_since' => 1, 'code' => 'x', 'sentence' => self::EVIL, 'detail' => self::EVIL];
        $html = $this->output_of(fn () => (new RelayHealth($this->client(), static fn (): int => 1000))->notice());
        $this->assertStringContainsString('notice-error', $html);
        self::assert_inert($html);
    }

    public function test_settings_status_escapes_the_relay_answer_and_shows_mode_and_methods(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'live']);
        \PayrelayTestState::queue_json(200, ['currency' => 'EUR', 'methods' => [
            ['method' => 'card', 'routable' => true, 'providers' => ['stripe', 'adyen'], 'skipped' => []],
            ['method' => 'wallet', 'routable' => false, 'providers' => [], 'skipped' => [['provider' => 'paypal', 'reason' => 'not configured']]],
            ['method' => self::EVIL, 'routable' => true, 'providers' => [self::EVIL], 'skipped' => []],
        ]]);

        $html = $this->output_of(fn () => (new SettingsStatus($this->client()))->render('EUR'));

        $this->assertSame('https://relay.test/v1/methods?currency=EUR', $this->last_request()['url']);
        $this->assertSame(3, $this->last_request()['args']['timeout']);
        $this->assertStringContainsString('Live mode: payments are real.', $html);
        $this->assertStringContainsString('Card: yes (Stripe, Adyen)', $html);
        $this->assertStringContainsString('Wallet: no (PayPal: not configured)', $html);
        self::assert_inert($html);
    }

    public function test_settings_status_degrades_without_the_methods_endpoint(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'test']);
        \PayrelayTestState::queue_json(404, ['error' => ['code' => 'not_found', 'message' => 'Cannot GET /v1/methods']]);
        $html = $this->output_of(fn () => (new SettingsStatus($this->client()))->render('EUR'));
        $this->assertStringContainsString('Test mode', $html);
        $this->assertStringContainsString('cannot list the methods it routes', $html);
    }

    public function test_settings_status_says_when_the_relay_is_not_connected(): void
    {
        \PayrelayTestState::queue_network_error();
        $html = $this->output_of(fn () => (new SettingsStatus($this->client()))->render('EUR'));
        $this->assertStringContainsString('Not connected: the relay could not be reached', $html);
        $this->assertCount(1, \PayrelayTestState::$http_requests);
    }

    public function test_diagnostics_section_and_bulk_notice_are_escaped(): void
    {
        $html = $this->output_of(fn () => (new Diagnostics($this->client(), '/p.php', '0.1.0'))->render_section());
        self::assert_inert($html);
        $_GET[ProviderCheck::BULK_DONE_ARG] = self::EVIL;
        $html = $this->output_of(fn () => (new ProviderCheck($this->client(), new Log(false)))->bulk_notice());
        $this->assertStringContainsString('Checked 0 Payrelay orders', $html);
        \PayrelayTestState::$transients[ProviderCheck::ACTION . '_7'] = self::EVIL;
        self::assert_inert($this->output_of(fn () => (new ProviderCheck($this->client(), new Log(false)))->bulk_notice()));
    }

    public function test_the_plugin_row_has_a_settings_link_and_a_one_line_description(): void
    {
        $links = (new Plugin('/plugins/payrelay/payrelay.php', '0.1.0'))->action_links(['deactivate' => '<a>Deactivate</a>']);
        $this->assertSame('<a href="https://shop.test/wp-admin/admin.php?page=wc-settings&amp;tab=checkout&amp;section=payrelay">Settings</a>', $links[0]);
        $this->assertCount(2, $links);

        (new Plugin('/plugins/payrelay/payrelay.php', '0.1.0'))->register_hooks();
        $this->assertContains('plugin_action_links_payrelay/payrelay.php', \PayrelayTestState::hook_names());

        // WordPress reads each header field from one line: a wrapped description is cut at the first line break.
        $header = (string) file_get_contents(dirname(__DIR__, 2) . '/payrelay.php');
        $this->assertMatchesRegularExpression('/^ \* Description: +\S.{10,140}$/m', $header);
        $this->assertDoesNotMatchRegularExpression('/^ \* Description:.*\n \* {5,}\S/m', $header);
    }

    public function test_the_gateway_is_not_offered_while_the_relay_is_down(): void
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = ['enabled' => 'yes', 'relay_url' => 'https://relay.test', 'shop_secret' => self::SECRET];
        $now = 5000;
        $health = new RelayHealth($this->client(), static function () use (&$now): int {
            return $now;
        });
        $gateway = new Gateway(new SessionStarter($this->client(), new Log(false)), new Diagnostics($this->client(), '/p.php', '0.1.0'), $health);
        $this->assertTrue($gateway->is_available());
        \PayrelayTestState::queue_network_error();
        $health->run();
        $this->assertTrue($gateway->is_available(), 'one failed check is not an outage');
        $now += RelayHealth::OUTAGE_SECONDS;
        \PayrelayTestState::queue_network_error();
        $health->run();
        $this->assertFalse($gateway->is_available());
    }
}
