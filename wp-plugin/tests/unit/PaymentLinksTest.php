<?php

namespace Payrelay\Tests;

use Payrelay\Log;
use Payrelay\PaymentLinks;

final class PaymentLinksTest extends TestCase
{
    private const LINK = [
        'link_id' => 'pl_1',
        'url' => 'https://relay.test/pay/eyJsIjoicGxfMSJ9.abc',
        'expires_at' => '2026-01-08T00:00:00Z',
    ];

    private function links(): PaymentLinks
    {
        return new PaymentLinks($this->client(), new Log(false));
    }

    public function test_the_order_screen_offers_it_for_unpaid_orders_of_this_gateway_or_made_by_hand(): void
    {
        $this->assertArrayHasKey(PaymentLinks::SEND, $this->links()->add_order_actions([], $this->order()));
        $this->assertArrayHasKey(PaymentLinks::SEND, $this->links()->add_order_actions([], $this->order(7, false, '')));
        $this->assertSame([], $this->links()->add_order_actions([], $this->order(8, true)));
        $this->assertSame([], $this->links()->add_order_actions([], $this->order(9, false, 'bacs')));
        $this->assertArrayNotHasKey(PaymentLinks::REVOKE, $this->links()->add_order_actions([], $this->order()));
    }

    public function test_send_asks_the_relay_with_the_merchants_lifetime_then_sends_the_invoice_email(): void
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = ['payment_link_days' => '3'];
        \PayrelayTestState::$options['home'] = 'https://shop.test';
        $order = $this->order();
        \PayrelayTestState::queue_json(201, self::LINK);

        $this->assertTrue($this->links()->send($order));

        $request = $this->last_request();
        $this->assertSame('https://relay.test/v1/orders/1042/payment-links', $request['url']);
        $body = json_decode($request['args']['body'], true);
        $this->assertSame(1999, $body['amount']);
        $this->assertSame(3, $body['lifetime_days']);
        $this->assertSame('https://shop.test', $body['site_url']);
        $this->assertSame('any', $body['method']);
        $this->assertSame(self::LINK['url'], $order->saved_meta[PaymentLinks::META_URL]);
        $this->assertSame('pl_1', $order->saved_meta[PaymentLinks::META_ID]);
        $this->assertSame([['customer_invoice', 1042]], \PayrelayTestState::$emails);
        $this->assertStringContainsString('valid for 3 days', $order->notes[0]);
        $this->assertArrayHasKey(PaymentLinks::REVOKE, $this->links()->add_order_actions([], $order));
    }

    public function test_a_refused_link_sends_no_email_and_notes_why(): void
    {
        $order = $this->order();
        \PayrelayTestState::queue_json(403, ['error' => ['code' => 'site_mismatch', 'message' => 'this relay serves https://shop.example; this site is https://shop.test']]);
        $this->assertFalse($this->links()->send($order));
        $this->assertSame([], \PayrelayTestState::$emails);
        $this->assertStringContainsString('site_mismatch', $order->notes[0]);
        $this->assertSame('', $order->get_meta(PaymentLinks::META_URL));
    }

    public function test_the_link_is_in_the_customer_invoice_email_only(): void
    {
        $order = $this->order();
        $order->meta[PaymentLinks::META_URL] = self::LINK['url'];
        $order->meta[PaymentLinks::META_EXPIRES] = self::LINK['expires_at'];
        $invoice = (object) ['id' => 'customer_invoice'];

        $html = $this->output_of(fn () => $this->links()->append_to_email($order, false, false, $invoice));
        $this->assertStringContainsString('href="' . self::LINK['url'] . '"', $html);
        $this->assertStringContainsString('2026-01-08', $html);
        $plain = $this->output_of(fn () => $this->links()->append_to_email($order, false, true, $invoice));
        $this->assertStringContainsString(self::LINK['url'], $plain);
        $this->assertStringNotContainsString('<a', $plain);

        $other = (object) ['id' => 'customer_processing_order'];
        $this->assertSame('', $this->output_of(fn () => $this->links()->append_to_email($order, false, false, $other)));
        $this->assertSame('', $this->output_of(fn () => $this->links()->append_to_email($order, true, false, $invoice)));
        $order->paid = true;
        $this->assertSame('', $this->output_of(fn () => $this->links()->append_to_email($order, false, false, $invoice)));
    }

    public function test_revoke_tells_the_relay_and_forgets_the_link(): void
    {
        $order = $this->order();
        $order->meta[PaymentLinks::META_ID] = 'pl_1';
        $order->meta[PaymentLinks::META_URL] = self::LINK['url'];
        \PayrelayTestState::queue_json(200, ['link_id' => 'pl_1', 'revoked' => true]);

        $this->assertTrue($this->links()->revoke($order));

        $this->assertSame('https://relay.test/v1/payment-links/pl_1/revoke', $this->last_request()['url']);
        $this->assertSame('', $order->saved_meta[PaymentLinks::META_URL]);
        $this->assertStringContainsString('revoked', $order->notes[0]);
    }

    public function test_the_lifetime_setting_is_bounded_and_offered_in_the_gateway_form(): void
    {
        $this->assertSame(7, PaymentLinks::lifetime_days());
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = ['payment_link_days' => '400'];
        $this->assertSame(90, PaymentLinks::lifetime_days());
        $this->assertArrayHasKey('payment_link_days', PaymentLinks::add_setting(['enabled' => []]));
    }
}
