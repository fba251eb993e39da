<?php

namespace Payrelay\Tests;

use Payrelay\Admin\TimelineBox;

final class TimelineBoxTest extends TestCase
{
    private function html(\WC_Order $order): string
    {
        return $this->output_of(fn () => (new TimelineBox($this->client(), '/p/payrelay.php', '0.1.0'))->render($order));
    }

    public function test_renders_the_payment_log_in_support_words_escaped(): void
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
            ], [
                'session_id' => 'ps_2',
                'provider' => 'sandbox',
                'status' => 'expired',
                'amount' => 1500,
                'currency' => 'JPY',
                'created_at' => '2026-01-01T00:00:00Z',
                'expires_at' => '2026-01-01T01:00:00Z',
            ]],
            'entries' => [
                ['at' => '2026-01-01T00:00:00Z', 'kind' => 'provider_attempt_failed', 'message' => 'Mollie skipped: not configured', 'session_id' => null, 'provider' => 'mollie'],
                ['at' => '2026-01-01T00:00:00Z', 'kind' => 'session_created', 'message' => 'Card payment of 1999 EUR (minor units) from DE', 'session_id' => 'ps_1', 'provider' => 'stripe'],
                ['at' => '2026-01-01T00:05:00Z', 'kind' => 'webhook_received', 'message' => '<script>alert("x")</script>', 'session_id' => 'ps_1', 'provider' => 'stripe'],
                ['at' => '2026-01-01T01:00:00Z', 'kind' => 'webhook_received', 'message' => 'payrelay.session_expired: expired', 'session_id' => 'ps_2', 'provider' => 'sandbox'],
                ['at' => '2026-01-01T00:06:00Z', 'kind' => '"><b>', 'message' => 'order updated', 'session_id' => null, 'provider' => null],
            ],
        ]);

        $html = $this->html($order);

        $this->assertSame('https://relay.test/v1/orders/1042/timeline', $this->last_request()['url']);
        // Money as WooCommerce shows it (wc_price), with the currency's own decimals.
        $this->assertStringContainsString('<bdi><span class="woocommerce-Price-currencySymbol">&euro;</span>19.99</bdi>', $html);
        $this->assertStringContainsString('&yen;</span>1,500</bdi>', $html);
        $this->assertStringNotContainsString('1999 EUR', $html);
        $this->assertStringContainsString('Card payment of €19.99 from DE', $html);
        // Codes behind words, kept in a detail line for developers.
        $this->assertStringContainsString('<strong>Stripe</strong>: Payment page created. ', $html);
        $this->assertStringContainsString('<small class="payrelay-detail">session_created ps_1</small>', $html);
        $this->assertStringContainsString('<strong>Payrelay expiry job</strong>: Message from the provider.', $html);
        $this->assertStringContainsString('Payrelay Sandbox', $html);
        $this->assertStringNotContainsString('>sandbox<', $html);
        $this->assertStringContainsString('paid</td>', $html);
        // Not an event of this order: a provider that is not configured.
        $this->assertStringNotContainsString('not configured', $html);
        $this->assertStringContainsString('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;', $html);
        $this->assertStringNotContainsString('<script>', $html);
        $this->assertStringNotContainsString('"><b>', $html);
        $this->assertSame(4, substr_count($html, '<li '));
        $this->assertStringContainsString('data-payrelay-order-check', $html);
        $this->assertSame(\Payrelay\ProviderCheck::ACTION, \PayrelayTestState::$localized['payrelay-order-check']['data']['action']);
    }

    public function test_routing_decisions_have_a_label(): void
    {
        // The relay says why routing moved a provider ("Stripe moved down: 4 of the last 10 card payments ..."): issue 11.
        $this->assertSame('Routing order', TimelineBox::label('routing_decision'));
    }

    public function test_relay_error_is_said_in_words_and_escaped(): void
    {
        \PayrelayTestState::queue_json(401, ['error' => ['code' => 'bad_signature', 'message' => '<b>check</b>']]);
        $html = $this->html($this->order());
        $this->assertStringContainsString('Could not load the timeline from the relay: the relay refused the shop secret', $html);
        $this->assertStringContainsString('Detail: bad_signature: &lt;b&gt;check&lt;/b&gt; (HTTP 401)', $html);
    }

    public function test_orders_of_other_gateways_are_not_looked_up(): void
    {
        $html = $this->html($this->order(5, false, 'bacs'));
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
