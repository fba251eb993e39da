<?php

namespace Payrelay\Tests;

use Payrelay\Admin\Diagnostics;
use Payrelay\Admin\RelayHealth;

final class DiagnosticsTest extends TestCase
{
    private function diagnostics(?RelayHealth $health = null): Diagnostics
    {
        return new Diagnostics($this->client(), '/plugins/payrelay/payrelay.php', '0.1.0', $health);
    }

    /** @param array<int, array{label: string, ok: bool|null, detail: string}> $rows */
    private static function row(array $rows, string $label_start): array
    {
        foreach ($rows as $row) {
            if (str_starts_with($row['label'], $label_start)) {
                return $row;
            }
        }
        self::fail("no row $label_start");
    }

    public function test_all_checks_pass(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'test', 'time' => '2026-01-01T00:00:00Z']);
        \PayrelayTestState::queue_json(200, ['ok' => true, 'latency_ms' => 42]);
        \PayrelayTestState::queue_json(200, [
            'last_webhook_at' => ['stripe' => '2026-01-01T00:00:00Z', 'sandbox' => null],
            'outbox' => ['pending' => 2, 'dead' => 0],
            'alerts' => [['id' => 'a1', 'at' => '2026-01-01T00:00:00Z', 'order_id' => '1042', 'code' => 'paid_but_cancelled', 'message' => '<i>refund one</i>']],
        ]);

        $checks = $this->diagnostics()->checks();

        $paths = array_map(static fn (array $r): string => $r['method'] . ' ' . $r['url'], \PayrelayTestState::$http_requests);
        $this->assertSame([
            'POST https://relay.test/v1/ping',
            'POST https://relay.test/v1/diagnostics/shop-check',
            'GET https://relay.test/v1/diagnostics',
        ], $paths);
        $this->assertSame(['label' => 'Relay reachable and shop secret accepted', 'ok' => true, 'detail' => 'version 0.1.0, test mode'], $checks['rows'][0]);
        $this->assertSame('42 ms', self::row($checks['rows'], 'Relay can reach')['detail']);
        $this->assertSame(['label' => 'Last webhook from Stripe', 'ok' => null, 'detail' => '2026-01-01 00:00:00 UTC'], self::row($checks['rows'], 'Last webhook from Stripe'));
        $this->assertSame('never', self::row($checks['rows'], 'Last webhook from Payrelay Sandbox')['detail']);
        $this->assertSame('2 pending, 0 given up', self::row($checks['rows'], 'Order updates')['detail']);
        // Text, not HTML: the browser script prints it with textContent.
        $this->assertSame([['id' => 0, 'text' => '2026-01-01 00:00:00 UTC - order 1042 - <i>refund one</i> (paid_but_cancelled)']], $checks['alerts']);
        foreach ($checks['rows'] as $row) {
            $this->assertNotFalse($row['ok'], $row['label']);
        }
    }

    public function test_a_refused_secret_stops_the_checks_with_a_hint(): void
    {
        \PayrelayTestState::queue_json(401, ['error' => ['code' => 'bad_signature', 'message' => 'no']]);
        $checks = $this->diagnostics()->checks();
        $this->assertFalse($checks['rows'][0]['ok']);
        $this->assertStringStartsWith('The relay refused the shop secret; it must be the same value as PAYRELAY_SHOP_SECRET. Detail: bad_signature', $checks['rows'][0]['detail']);
        $this->assertCount(1, \PayrelayTestState::$http_requests);
    }

    public function test_relay_cannot_reach_the_shop_and_an_update_gave_up(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'live']);
        \PayrelayTestState::queue_json(200, ['ok' => false, 'error' => ['code' => 'shop_auth', 'message' => 'consumer key refused (401)']]);
        \PayrelayTestState::queue_json(200, ['last_webhook_at' => [], 'outbox' => ['pending' => 0, 'dead' => 3], 'alerts' => [
            ['id' => 9, 'at' => '2026-01-01T00:00:00Z', 'order_id' => '9999', 'code' => 'dead_letter', 'message' => 'order not found'],
        ]]);
        $checks = $this->diagnostics()->checks();
        $this->assertSame(['label' => 'Relay can reach this shop\'s REST API', 'ok' => false, 'detail' => 'consumer key refused (401) (shop_auth)'], $checks['rows'][1]);
        $this->assertSame(['label' => 'Order updates waiting to reach the shop', 'ok' => false, 'detail' => '0 pending, 3 given up (1 not dismissed yet: see the alerts below)'], self::row($checks['rows'], 'Order updates'));
        $this->assertSame(9, $checks['alerts'][0]['id']);
    }

    public function test_the_given_up_row_clears_once_its_alerts_are_dismissed(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'test']);
        \PayrelayTestState::queue_json(200, ['ok' => true, 'latency_ms' => 5]);
        \PayrelayTestState::queue_json(200, ['last_webhook_at' => [], 'outbox' => ['pending' => 0, 'dead' => 1], 'alerts' => []]);
        $row = self::row($this->diagnostics()->checks()['rows'], 'Order updates');
        $this->assertTrue($row['ok']);
        $this->assertSame('0 pending, 1 given up (all dismissed)', $row['detail']);
    }

    public function test_a_test_event_to_an_order_that_does_not_exist_is_not_sent(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'test_event', 'order_id' => '10421'];
        $response = $this->json_from(fn () => $this->diagnostics()->ajax());
        $this->assertFalse($response->success);
        $this->assertSame(400, $response->status);
        $this->assertSame('There is no order #10421 in this shop; check the number. Nothing was sent.', $response->data['message']);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_test_event_shows_where_it_stopped(): void
    {
        $this->order();
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'test_event', 'order_id' => '1042'];
        \PayrelayTestState::queue_json(200, ['ok' => false, 'stages' => [
            ['stage' => 'received', 'ok' => true, 'at' => '2026-01-01T00:00:00Z', 'detail' => 'recorded'],
            ['stage' => 'outbox', 'ok' => false, 'at' => '2026-01-01T00:00:02Z', 'detail' => '<b>401</b> from shop'],
        ]]);

        $response = $this->json_from(fn () => $this->diagnostics()->ajax());

        $this->assertSame('{"order_id":"1042"}', $this->last_request()['args']['body']);
        $this->assertSame('The test event stopped at the first stage marked as failed.', $response->data['summary']);
        $this->assertSame(['label' => 'outbox', 'ok' => false, 'detail' => '2026-01-01 00:00:02 UTC <b>401</b> from shop'], $response->data['rows'][1]);
    }

    public function test_connect_webhooks_asks_the_relay_and_shows_its_report(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'connect_webhooks'];
        \PayrelayTestState::queue_json(200, ['providers' => [], 'summary' => [
            'PayPal: endpoint WH-1 created for https://relay.test/webhooks/paypal (11 event types).',
            'Stripe: endpoint we_1 unchanged for https://relay.test/webhooks/stripe (12 event types).',
        ]]);

        $response = $this->json_from(fn () => $this->diagnostics()->ajax());

        $this->assertSame('https://relay.test/v1/providers/connect', $this->last_request()['url']);
        $this->assertTrue($response->success);
        $this->assertStringContainsString("WH-1 created for https://relay.test/webhooks/paypal (11 event types).\nStripe:", $response->data['message']);
    }

    public function test_rotate_asks_the_relay_to_rotate_and_shows_its_report(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'rotate_webhooks'];
        \PayrelayTestState::queue_json(200, ['providers' => [], 'summary' => [
            'Adyen: endpoint S2-1 rotated for https://relay.test/webhooks/adyen (22 event types).',
        ]]);

        $response = $this->json_from(fn () => $this->diagnostics()->ajax());

        $request = $this->last_request();
        $this->assertSame('https://relay.test/v1/providers/connect', $request['url']);
        $this->assertSame(['rotate' => true], json_decode($request['args']['body'], true));
        $this->assertTrue($response->success);
        $this->assertStringContainsString('S2-1 rotated', $response->data['message']);
    }

    public function test_the_settings_section_has_both_webhook_buttons(): void
    {
        $html = $this->output_of(fn () => $this->diagnostics()->render_section());
        $this->assertStringContainsString('data-payrelay-check="connect_webhooks"', $html);
        $this->assertStringContainsString('data-payrelay-check="rotate_webhooks"', $html);
        $this->assertStringContainsString('The old ones keep verifying for 24 hours.', $html);
    }

    public function test_connect_webhooks_says_why_when_the_relay_refuses(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'connect_webhooks'];
        \PayrelayTestState::queue_network_error();
        $response = $this->json_from(fn () => $this->diagnostics()->ajax());
        $this->assertFalse($response->success);
        $this->assertSame(502, $response->status);
    }

    public function test_ajax_needs_the_capability(): void
    {
        \PayrelayTestState::$capabilities = [];
        $_POST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'checks'];
        $response = $this->json_from(fn () => $this->diagnostics()->ajax());
        $this->assertFalse($response->success);
        $this->assertSame(403, $response->status);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_ajax_needs_the_nonce(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'forged', 'check' => 'checks'];
        $this->assertFalse($this->json_from(fn () => $this->diagnostics()->ajax())->success);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_ajax_test_event_needs_an_order(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'test_event', 'order_id' => 'abc'];
        $response = $this->json_from(fn () => $this->diagnostics()->ajax());
        $this->assertFalse($response->success);
        $this->assertSame(400, $response->status);
    }

    public function test_ajax_runs_the_checks_and_a_working_relay_clears_the_outage(): void
    {
        $now = 1_000_000;
        $health = new RelayHealth($this->client(), static function () use (&$now): int {
            return $now;
        });
        \PayrelayTestState::queue_network_error('Could not resolve host');
        $health->run();
        $now += RelayHealth::OUTAGE_SECONDS;
        $this->assertTrue($health->is_down());

        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'checks'];
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'test']);
        \PayrelayTestState::queue_json(200, ['ok' => true, 'latency_ms' => 5]);
        \PayrelayTestState::queue_json(200, ['last_webhook_at' => [], 'outbox' => ['pending' => 0, 'dead' => 0], 'alerts' => []]);
        $response = $this->json_from(fn () => $this->diagnostics($health)->ajax());

        $this->assertTrue($response->success);
        $this->assertTrue($response->data['rows'][0]['ok']);
        $this->assertFalse($health->is_down(), 'the notice goes as soon as the checks pass');
    }

    public function test_ajax_dismisses_an_alert_at_the_relay(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'resolve_alert', 'alert_id' => '7'];
        \PayrelayTestState::queue_json(200, ['resolved' => true, 'id' => 7]);
        $response = $this->json_from(fn () => $this->diagnostics()->ajax());
        $this->assertTrue($response->success);
        $this->assertSame('Dismissed.', $response->data['message']);
        $this->assertSame('POST', $this->last_request()['method']);
        $this->assertSame('https://relay.test/v1/alerts/7/resolve', $this->last_request()['url']);
    }

    public function test_ajax_dismiss_says_why_the_relay_refused(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'resolve_alert', 'alert_id' => '7'];
        \PayrelayTestState::queue_json(404, ['error' => ['code' => 'not_found', 'message' => 'no open alert 7']]);
        $response = $this->json_from(fn () => $this->diagnostics()->ajax());
        $this->assertFalse($response->success);
        $this->assertSame(502, $response->status);
        $this->assertStringContainsString('no open alert 7', $response->data['message']);
    }

    public function test_section_carries_a_nonce_but_no_secret(): void
    {
        $html = $this->output_of(fn () => $this->diagnostics()->render_section());
        $this->assertStringContainsString('data-payrelay-check="checks"', $html);
        $config = \PayrelayTestState::$localized['payrelay-diagnostics']['data'];
        $this->assertSame('nonce-payrelay_diagnostics', $config['nonce']);
        $this->assertStringNotContainsString(self::SECRET, $html . json_encode($config));
    }
}
