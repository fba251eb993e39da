<?php

namespace Payrelay\Tests;

use Payrelay\ReturnPage;

final class ReturnPageTest extends TestCase
{
    private function page(): ReturnPage
    {
        return new ReturnPage($this->client(), '/plugins/payrelay/payrelay.php', '0.1.0');
    }

    private function order_with_session(): \WC_Order
    {
        $order = $this->order();
        $order->meta['_payrelay_session_id'] = 'ps_01HZX';
        $order->meta['_payrelay_status_token'] = 'st_abc';
        return $order;
    }

    /** @return array<string, array{0: string, 1: string, 2: bool, 3: bool}> relay status → shown status, final, retry */
    public static function statuses(): array
    {
        return [
            'created' => ['created', 'created', false, false],
            'pending' => ['pending', 'pending', false, false],
            'review' => ['review', 'review', false, false],
            'paid at provider, order not yet updated' => ['paid', 'paid', true, false],
            'failed' => ['failed', 'failed', true, true],
            'expired' => ['expired', 'expired', true, true],
            'cancelled' => ['cancelled', 'cancelled', true, true],
            'refunded' => ['refunded', 'refunded', true, false],
            'unknown status fails closed' => ['authorized_maybe', 'pending', false, false],
        ];
    }

    /**
     * @dataProvider statuses
     */
    public function test_view_per_relay_status(string $relay, string $shown, bool $final, bool $retry): void
    {
        $order = $this->order_with_session();
        \PayrelayTestState::queue_json(200, ['session_id' => 'ps_01HZX', 'status' => $relay, 'final' => true, 'message' => 'x']);

        $view = $this->page()->view($order);

        $this->assertSame($shown, $view['status']);
        $this->assertSame($final, $view['final']);
        $this->assertSame($retry ? $order->get_checkout_payment_url() : '', $view['retry_url']);
        $this->assertSame(\Payrelay\Contract::DATA['statuses'][$shown]['shopper_message'], $view['message']);
        $this->assertSame('https://relay.test/v1/sessions/ps_01HZX/status?token=st_abc', $this->last_request()['url']);
        // The return page only reads: no note, no meta, no save.
        $this->assertSame([], $order->notes);
        $this->assertSame(0, $order->saves);
    }

    public function test_a_paid_order_needs_nothing_and_calls_nobody(): void
    {
        $order = $this->order(1042, true);
        $this->assertNull($this->page()->view($order));
        $this->assertSame('', $this->output_of(fn () => $this->page()->render(1042)));
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_relay_down_keeps_confirming(): void
    {
        $order = $this->order_with_session();
        \PayrelayTestState::queue_network_error();
        $view = $this->page()->view($order);
        $this->assertSame('pending', $view['status']);
        $this->assertFalse($view['final']);
    }

    public function test_render_not_final_says_confirming_and_starts_polling(): void
    {
        $this->order_with_session();
        \PayrelayTestState::queue_json(200, ['status' => 'pending']);

        $html = $this->output_of(fn () => $this->page()->render(1042));

        $this->assertStringContainsString('<h2>We are confirming your payment</h2>', $html);
        $this->assertStringContainsString('data-payrelay-status="pending"', $html);
        $this->assertStringContainsString(' hidden>', $html);
        $this->assertTrue(\PayrelayTestState::$scripts['payrelay-return']['enqueued']);
        $config = \PayrelayTestState::$localized['payrelay-return']['data'];
        $this->assertSame(1042, $config['orderId']);
        $this->assertSame(ReturnPage::AJAX_ACTION, $config['action']);
        $this->assertArrayNotHasKey('token', $config, 'the status token stays on the server');
    }

    public function test_render_failed_offers_the_order_pay_page_and_does_not_poll(): void
    {
        $this->order_with_session();
        \PayrelayTestState::queue_json(200, ['status' => 'failed']);

        $html = $this->output_of(fn () => $this->page()->render(1042));

        $this->assertStringNotContainsString('<h2>', $html);
        $this->assertStringContainsString(
            'href="https://shop.test/checkout/order-pay/1042/?pay_for_order=true&amp;key=wc_order_abc123"',
            $html
        );
        $this->assertArrayNotHasKey('payrelay-return', \PayrelayTestState::$scripts);
    }

    public function test_html_escapes_everything(): void
    {
        $html = ReturnPage::html([
            'status' => '"><script>',
            'final' => true,
            'message' => '<img src=x onerror=alert(1)>',
            'retry_url' => 'javascript:alert(1)',
        ]);
        $this->assertStringNotContainsString('<script>', $html);
        $this->assertStringNotContainsString('<img', $html);
        $this->assertStringNotContainsString('javascript:', $html);
    }

    public function test_status_proxy_needs_the_order_key(): void
    {
        $this->order_with_session();
        $_REQUEST = ['order_id' => '1042', 'key' => 'wc_order_wrong'];
        $response = $this->json_from(fn () => $this->page()->ajax_status());
        $this->assertFalse($response->success);
        $this->assertSame(404, $response->status);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_status_proxy_refuses_orders_of_other_gateways(): void
    {
        $this->order(1042, false, 'bacs');
        $_REQUEST = ['order_id' => '1042', 'key' => 'wc_order_abc123'];
        $this->assertFalse($this->json_from(fn () => $this->page()->ajax_status())->success);
    }

    public function test_status_proxy_answers_from_the_relay(): void
    {
        $this->order_with_session();
        $_REQUEST = ['order_id' => '1042', 'key' => 'wc_order_abc123'];
        \PayrelayTestState::queue_json(200, ['status' => 'expired', 'final' => true]);

        $response = $this->json_from(fn () => $this->page()->ajax_status());

        $this->assertTrue($response->success);
        $this->assertSame('expired', $response->data['status']);
        $this->assertTrue($response->data['final']);
        $this->assertNotSame('', $response->data['retry_url']);
    }
}
