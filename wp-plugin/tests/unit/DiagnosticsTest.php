<?php

namespace Payrelay\Tests;

use Payrelay\Admin\Diagnostics;

final class DiagnosticsTest extends TestCase
{
    private function diagnostics(): Diagnostics
    {
        return new Diagnostics($this->client(), '/plugins/payrelay/payrelay.php', '0.1.0');
    }

    public function test_all_checks_pass(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'test', 'time' => '2026-01-01T00:00:00Z']);
        \PayrelayTestState::queue_json(200, ['ok' => true, 'latency_ms' => 42]);
        \PayrelayTestState::queue_json(200, [
            'last_webhook_at' => ['stripe' => '2026-01-01T00:00:00Z', 'mollie' => null],
            'outbox' => ['pending' => 2, 'dead' => 0],
            'alerts' => [['id' => 'a1', 'at' => '2026-01-01T00:00:00Z', 'order_id' => '1042', 'code' => 'paid_but_cancelled', 'message' => '<i>refund one</i>']],
        ]);

        $html = $this->diagnostics()->checks_html();

        $paths = array_map(static fn (array $r): string => $r['method'] . ' ' . $r['url'], \PayrelayTestState::$http_requests);
        $this->assertSame([
            'POST https://relay.test/v1/ping',
            'POST https://relay.test/v1/diagnostics/shop-check',
            'GET https://relay.test/v1/diagnostics',
        ], $paths);
        $this->assertStringContainsString('version 0.1.0, test mode', $html);
        $this->assertStringContainsString('42 ms', $html);
        $this->assertStringContainsString('Last webhook from stripe</th><td></td><td>2026-01-01 00:00:00 UTC', $html);
        $this->assertStringContainsString('Last webhook from mollie</th><td></td><td>never', $html);
        $this->assertStringContainsString('2 pending, 0 given up', $html);
        $this->assertStringContainsString('paid_but_cancelled: &lt;i&gt;refund one&lt;/i&gt;', $html);
        $this->assertStringNotContainsString('Failed', $html);
    }

    public function test_a_refused_secret_stops_the_checks_with_a_hint(): void
    {
        \PayrelayTestState::queue_json(401, ['error' => ['code' => 'bad_signature', 'message' => 'no']]);
        $html = $this->diagnostics()->checks_html();
        $this->assertStringContainsString('Failed', $html);
        $this->assertStringContainsString('Use the same value as PAYRELAY_SHOP_SECRET', $html);
        $this->assertCount(1, \PayrelayTestState::$http_requests);
    }

    public function test_relay_cannot_reach_the_shop(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'test']);
        \PayrelayTestState::queue_json(200, ['ok' => false, 'error' => ['code' => 'shop_auth', 'message' => 'consumer key refused (401)']]);
        \PayrelayTestState::queue_json(200, ['last_webhook_at' => [], 'outbox' => ['pending' => 0, 'dead' => 3], 'alerts' => []]);
        $html = $this->diagnostics()->checks_html();
        $this->assertStringContainsString('REST API</th><td>Failed</td><td>shop_auth: consumer key refused (401)', $html);
        $this->assertStringContainsString('waiting to reach the shop</th><td>Failed</td><td>0 pending, 3 given up', $html);
    }

    public function test_test_event_shows_where_it_stopped(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => false, 'stages' => [
            ['stage' => 'relay', 'ok' => true, 'at' => '2026-01-01T00:00:00Z', 'detail' => 'recorded'],
            ['stage' => 'outbox', 'ok' => true, 'at' => '2026-01-01T00:00:01Z', 'detail' => 'queued'],
            ['stage' => 'shop', 'ok' => false, 'at' => '2026-01-01T00:00:02Z', 'detail' => '<b>401</b> from shop'],
        ]]);

        $html = $this->diagnostics()->test_event_html(1042);

        $this->assertSame('{"order_id":"1042"}', $this->last_request()['args']['body']);
        $this->assertStringContainsString('stopped at the first stage marked as failed', $html);
        $this->assertStringContainsString('<th scope="row">shop</th><td>Failed</td><td>2026-01-01 00:00:02 UTC &lt;b&gt;401&lt;/b&gt; from shop', $html);
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

    public function test_ajax_runs_the_checks(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'checks'];
        \PayrelayTestState::queue_network_error('Could not resolve host');
        $response = $this->json_from(fn () => $this->diagnostics()->ajax());
        $this->assertTrue($response->success);
        $this->assertStringContainsString('The relay could not be reached (Could not resolve host)', $response->data['html']);
    }

    public function test_each_open_alert_can_be_dismissed(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'test']);
        \PayrelayTestState::queue_json(200, ['ok' => true, 'latency_ms' => 5]);
        \PayrelayTestState::queue_json(200, ['last_webhook_at' => [], 'outbox' => ['pending' => 0, 'dead' => 1], 'alerts' => [
            ['id' => 7, 'at' => '2026-01-01T00:00:00Z', 'order_id' => '1042', 'code' => 'dead_letter', 'message' => 'not updated'],
            ['id' => 'x"><script>', 'at' => '2026-01-01T00:00:00Z', 'order_id' => '1043', 'code' => 'dead_letter', 'message' => 'odd id'],
        ]]);
        $html = $this->diagnostics()->checks_html();
        $this->assertStringContainsString('not updated <button type="button" class="button-link" data-payrelay-dismiss="7">Dismiss</button></li>', $html);
        $this->assertSame(1, substr_count($html, 'data-payrelay-dismiss='));
        $this->assertStringNotContainsString('<script>', $html);
    }

    public function test_ajax_dismisses_an_alert_at_the_relay(): void
    {
        $_POST = $_REQUEST = ['nonce' => 'nonce-payrelay_diagnostics', 'check' => 'resolve_alert', 'alert_id' => '7'];
        \PayrelayTestState::queue_json(200, ['resolved' => true, 'id' => 7]);
        $response = $this->json_from(fn () => $this->diagnostics()->ajax());
        $this->assertTrue($response->success);
        $this->assertSame('Dismissed.', $response->data['html']);
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
