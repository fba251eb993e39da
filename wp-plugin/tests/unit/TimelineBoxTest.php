<?php

namespace Payrelay\Tests;

use Payrelay\Admin\TimelineBox;

final class TimelineBoxTest extends TestCase
{
    public function test_renders_sessions_and_entries_escaped(): void
    {
        $order = $this->order();
        \PayrelayTestState::queue_json(200, [
            'order_id' => '1042',
            'sessions' => [[
                'session_id' => 'ps_1',
                'provider' => 'stripe',
                'status' => 'paid',
                'amount' => 1999,
                'currency' => 'EUR',
                'created_at' => '2026-01-01T00:00:00Z',
                'expires_at' => '2026-01-01T01:00:00Z',
            ]],
            'entries' => [
                ['at' => '2026-01-01T00:00:00Z', 'kind' => 'session_created', 'message' => 'Session created', 'session_id' => 'ps_1', 'provider' => 'stripe'],
                ['at' => '2026-01-01T00:05:00Z', 'kind' => 'webhook', 'message' => '<script>alert("x")</script>', 'session_id' => 'ps_1', 'provider' => 'stripe'],
                ['at' => '2026-01-01T00:06:00Z', 'kind' => '"><b>', 'message' => 'order updated', 'session_id' => null, 'provider' => null],
            ],
        ]);

        $html = (new TimelineBox($this->client()))->html($order);

        $this->assertSame('https://relay.test/v1/orders/1042/timeline', $this->last_request()['url']);
        $this->assertStringContainsString('<code>ps_1</code>', $html);
        $this->assertStringContainsString('1999 EUR', $html);
        $this->assertStringContainsString('2026-01-01 01:00:00 UTC', $html);
        $this->assertStringContainsString('<strong>session_created</strong> Session created <small>(stripe ps_1)</small>', $html);
        $this->assertStringContainsString('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;', $html);
        $this->assertStringNotContainsString('<script>', $html);
        $this->assertStringNotContainsString('"><b>', $html);
        $this->assertSame(3, substr_count($html, '<li '));
    }

    public function test_relay_error_is_shown_escaped(): void
    {
        \PayrelayTestState::queue_json(401, ['error' => ['code' => 'bad_signature', 'message' => '<b>check</b>']]);
        $html = (new TimelineBox($this->client()))->html($this->order());
        $this->assertStringContainsString('Could not load the timeline from the relay: bad_signature: &lt;b&gt;check&lt;/b&gt; (HTTP 401)', $html);
    }

    public function test_orders_of_other_gateways_are_not_looked_up(): void
    {
        $html = (new TimelineBox($this->client()))->html($this->order(5, false, 'bacs'));
        $this->assertStringContainsString('not paid through Payrelay', $html);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_render_accepts_the_classic_screen_post_and_the_hpos_order(): void
    {
        $this->order();
        \PayrelayTestState::queue_json(200, ['sessions' => [], 'entries' => []]);
        \PayrelayTestState::queue_json(200, ['sessions' => [], 'entries' => []]);
        $box = new TimelineBox($this->client());
        $this->assertStringContainsString('No payment sessions yet.', $this->output_of(fn () => $box->render(new \WP_Post(1042))));
        $this->assertStringContainsString('No payment sessions yet.', $this->output_of(fn () => $box->render(\PayrelayTestState::$orders[1042])));
    }

    public function test_registers_on_the_hpos_order_screen(): void
    {
        (new TimelineBox($this->client()))->register();
        $this->assertSame('payrelay-timeline', \PayrelayTestState::$meta_boxes[0]['id']);
        $this->assertSame('woocommerce_page_wc-orders', \PayrelayTestState::$meta_boxes[0]['screen']);
    }
}
