<?php

namespace Payrelay\Tests;

use Payrelay\ReturnPage;

final class ReturnPageTest extends TestCase
{
    private function page(): ReturnPage
    {
        return new ReturnPage($this->client(), '/plugins/payrelay/payrelay.php', '0.1.0');
    }

    private function order_with_session(string $order_status = 'pending', string $session = 'ps_01HZX'): \WC_Order
    {
        $order = $this->order();
        $order->status = $order_status;
        $order->meta['_payrelay_session_id'] = $session;
        $order->meta['_payrelay_status_token'] = 'st_abc';
        return $order;
    }

    public function test_the_view_follows_the_relay_for_the_latest_session_and_only_reads(): void
    {
        $order = $this->order_with_session('pending');
        \PayrelayTestState::queue_json(200, ['session_id' => 'ps_01HZX', 'status' => 'expired', 'final' => true]);

        $view = $this->page()->view($order);

        $this->assertSame('expired', $view['state']);
        $this->assertSame($order->get_checkout_payment_url(), $view['pay_url']);
        $this->assertSame('https://relay.test/v1/sessions/ps_01HZX/status?token=st_abc', $this->last_request()['url']);
        $this->assertSame([], $order->notes);
        $this->assertSame(0, $order->saves);
    }

    public function test_after_a_failed_attempt_the_page_follows_the_new_attempt(): void
    {
        // The first attempt failed (WooCommerce has the order as failed); the shopper paid on a second session,
        // whose webhook has reached the relay but not yet the shop.
        $order = $this->order_with_session('failed', 'ps_second');
        \PayrelayTestState::queue_json(200, ['session_id' => 'ps_second', 'status' => 'paid']);
        \PayrelayTestState::queue_json(200, ['session_id' => 'ps_second', 'status' => 'paid']);
        $page = $this->page();

        $html = $this->output_of(fn () => $page->render(1042));

        $this->assertStringContainsString('/v1/sessions/ps_second/status', $this->last_request()['url']);
        $this->assertStringContainsString('data-payrelay-state="paid_updating"', $html);
        $this->assertStringContainsString('Thank you. Your payment is confirmed.', $html);
        $this->assertStringNotContainsString('did not go through', $html);
        // WooCommerce's fixed "declined" block for failed orders is hidden: one headline on the page.
        $this->assertStringContainsString('.woocommerce-thankyou-order-failed', $html);
        $this->assertSame(1, substr_count($html, 'data-payrelay-headline'));
        $this->assertTrue(\PayrelayTestState::$scripts['payrelay-return']['enqueued'], 'keeps polling until the shop has it');

        // The poll, once the shop has the order as paid, answers with the final state and no pay link.
        $order->status = 'processing';
        $order->paid = true;
        $_REQUEST = ['order_id' => '1042', 'key' => 'wc_order_abc123'];
        $response = $this->json_from(fn () => $page->ajax_status());
        $this->assertSame('confirmed', $response->data['state']);
        $this->assertTrue($response->data['final']);
        $this->assertSame('', $response->data['pay_url']);
    }

    public function test_after_expiry_the_order_stays_payable_and_the_page_offers_the_way_to_pay(): void
    {
        // The relay leaves an expired session's order pending (payable), so the pay page is not a dead end.
        $this->order_with_session('pending');
        \PayrelayTestState::queue_json(200, ['status' => 'expired']);

        $html = $this->output_of(fn () => $this->page()->render(1042));

        $this->assertStringContainsString('data-payrelay-state="expired"', $html);
        $this->assertStringContainsString(
            'href="https://shop.test/checkout/order-pay/1042/?pay_for_order=true&amp;key=wc_order_abc123"',
            $html
        );
        $this->assertStringNotContainsString(' hidden>', $html);
        $this->assertArrayNotHasKey('payrelay-return', \PayrelayTestState::$scripts, 'a final state does not poll');
    }

    public function test_a_cancelled_order_never_offers_the_pay_page(): void
    {
        $this->order_with_session('cancelled');
        \PayrelayTestState::queue_json(200, ['status' => 'expired']);
        $html = $this->output_of(fn () => $this->page()->render(1042));
        $this->assertStringContainsString('data-payrelay-state="cancelled"', $html);
        $this->assertStringContainsString(' hidden>', $html);
    }

    public function test_a_paid_order_is_confirmed_without_asking_the_relay(): void
    {
        $order = $this->order(1042, true);
        $order->status = 'processing';
        $view = $this->page()->view($order);
        $this->assertSame('confirmed', $view['state']);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_no_session_yet_says_not_paid_and_offers_payment(): void
    {
        $order = $this->order();
        $view = $this->page()->view($order);
        $this->assertSame('not_paid', $view['state']);
        $this->assertNotSame('', $view['pay_url']);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_relay_down_keeps_confirming(): void
    {
        $order = $this->order_with_session();
        \PayrelayTestState::queue_network_error();
        $view = $this->page()->view($order);
        $this->assertSame('confirming', $view['state']);
        $this->assertFalse($view['final']);
    }

    public function test_the_received_text_becomes_the_one_headline_and_the_relay_is_asked_once(): void
    {
        $order = $this->order_with_session('pending');
        \PayrelayTestState::queue_json(200, ['status' => 'pending']);
        $page = $this->page();

        $text = $page->received_text('Thank you. Your order has been received.', $order);
        $html = $this->output_of(fn () => $page->render(1042));

        $this->assertSame('<span class="payrelay-return__headline" data-payrelay-headline>Thank you. We are confirming your payment.</span>', $text);
        $this->assertStringNotContainsString('data-payrelay-headline', $html, 'the section adds no second headline');
        $this->assertStringContainsString(' hidden>', $html);
        $this->assertCount(1, \PayrelayTestState::$http_requests);
        $config = \PayrelayTestState::$localized['payrelay-return']['data'];
        $this->assertSame(1042, $config['orderId']);
        $this->assertArrayNotHasKey('token', $config, 'the status token stays on the server');
    }

    public function test_the_received_text_of_other_gateways_is_left_alone(): void
    {
        $order = $this->order(1042, false, 'bacs');
        $this->assertSame('Thank you.', $this->page()->received_text('Thank you.', $order));
    }

    public function test_the_pay_page_says_the_shopper_left_the_checkout(): void
    {
        $this->assertSame('', $this->output_of(fn () => $this->page()->pay_page_notice()));
        $_GET[ReturnPage::LEFT_CHECKOUT_ARG] = '1';
        $html = $this->output_of(fn () => $this->page()->pay_page_notice());
        $this->assertStringContainsString('You left the payment page before paying.', $html);
        $this->assertStringContainsString('Choose a payment method below', $html);
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

    public function test_status_proxy_answers_with_the_state_only(): void
    {
        $this->order_with_session();
        $_REQUEST = ['order_id' => '1042', 'key' => 'wc_order_abc123'];
        \PayrelayTestState::queue_json(200, ['status' => 'failed', 'final' => true, 'session_id' => 'ps_01HZX']);

        $response = $this->json_from(fn () => $this->page()->ajax_status());

        $this->assertTrue($response->success);
        $this->assertSame(['state', 'headline', 'message', 'final', 'pay_url'], array_keys($response->data));
        $this->assertSame('failed', $response->data['state']);
        $this->assertNotSame('', $response->data['pay_url']);
    }
}
