<?php

namespace Payrelay\Tests;

use Payrelay\Admin\Diagnostics;
use Payrelay\Gateway;
use Payrelay\Log;
use Payrelay\Refunder;
use Payrelay\SessionStarter;

final class ProcessRefundTest extends TestCase
{
    private function gateway(): Gateway
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = [
            'enabled' => 'yes',
            'relay_url' => 'https://relay.test',
            'shop_secret' => self::SECRET,
            'title' => 'Pay online',
            'description' => '',
            'debug' => 'no',
        ];
        $client = $this->client();
        return new Gateway(
            new SessionStarter($client, new Log(false)),
            new Diagnostics($client, '/plugins/payrelay/payrelay.php', '0.1.0'),
            null,
            null,
            new Refunder($client, new Log(false))
        );
    }

    /** An order as WooCommerce hands it to process_refund: its refund (id 77) is already recorded. */
    private function refunded_order(string $amount = '10.00'): \WC_Order
    {
        $order = $this->order(1042, true);
        $order->refunds = [new \WC_Order_Refund(77, $amount, 'damaged')];
        return $order;
    }

    public function test_the_gateway_declares_refunds(): void
    {
        $this->assertContains('refunds', $this->gateway()->supports);
    }

    public function test_a_partial_refund_asks_the_relay_with_the_woocommerce_refund_id_and_adds_one_note(): void
    {
        $order = $this->refunded_order();
        \PayrelayTestState::queue_json(201, [
            'refund_id' => '77', 'order_id' => '1042', 'provider' => 'paypal', 'provider_refund_id' => '1JU08902781691411',
            'status' => 'succeeded', 'amount' => '10.00', 'currency' => 'EUR',
        ]);

        $result = $this->gateway()->process_refund(1042, '10.00', 'damaged');

        $this->assertTrue($result);
        $request = $this->last_request();
        $this->assertSame('https://relay.test/v1/orders/1042/refunds', $request['url']);
        $this->assertSame(
            ['refund_id' => '77', 'amount' => '10.00', 'currency' => 'EUR', 'reason' => 'damaged'],
            json_decode($request['args']['body'], true)
        );
        $this->assertArrayHasKey('X-Payrelay-Signature', $request['args']['headers']);
        $this->assertCount(1, $order->notes);
        $this->assertStringContainsString('at PayPal (refund 1JU08902781691411)', $order->notes[0]);
    }

    public function test_a_refund_answered_with_one_made_earlier_says_so_in_its_note(): void
    {
        $order = $this->refunded_order();
        $said = 'The refund of 10.00 EUR asked for earlier (WooCommerce refund 76), whose answer from PayPal was lost, '
            . 'is made at PayPal (refund 1JU0); this refund is that one, so nothing was refunded twice.';
        \PayrelayTestState::queue_json(201, [
            'refund_id' => '77', 'order_id' => '1042', 'provider' => 'paypal', 'provider_refund_id' => '1JU0',
            'status' => 'succeeded', 'amount' => '10.00', 'currency' => 'EUR', 'message' => $said,
        ]);

        $this->assertTrue($this->gateway()->process_refund(1042, '10.00', ''));
        $this->assertCount(1, $order->notes);
        $this->assertStringContainsString('at PayPal (refund 1JU0). ' . $said, $order->notes[0]);
    }

    public function test_a_float_amount_is_sent_with_the_currency_s_decimals(): void
    {
        $this->refunded_order('5.5');
        \PayrelayTestState::queue_json(201, ['provider' => 'stripe', 'provider_refund_id' => 're_1', 'status' => 'pending']);
        $this->assertTrue($this->gateway()->process_refund(1042, 5.5, ''));
        $this->assertSame('5.50', json_decode($this->last_request()['args']['body'], true)['amount']);
    }

    /**
     * @return array<string, array{int, string, string}>
     */
    public static function refusals(): array
    {
        return [
            'more than is left' => [422, 'amount_exceeds_remaining', 'Only 5.00 EUR of this payment is left to refund (20.00 EUR of 25.00 EUR refunded already); 10.00 EUR is too much.'],
            'another currency' => [422, 'currency_mismatch', 'The refund is in USD but the payment was made in EUR; refund in EUR.'],
            'the provider refuses' => [422, 'provider_refused', 'PayPal refused the refund: Full refund refused - partial refund has already been done on this payment. (REFUND_NOT_ALLOWED)'],
            'the provider is down' => [502, 'provider_unavailable', 'PayPal could not be reached to refund (provider error 503). Nothing was refunded as far as the relay knows.'],
            'no refund API' => [422, 'refund_unsupported', 'Coinbase Commerce has no refund API: refund the customer in the Coinbase Commerce dashboard.'],
        ];
    }

    /**
     * @dataProvider refusals
     */
    public function test_a_refusal_shows_the_relay_s_message_to_the_merchant_and_adds_no_note(int $status, string $code, string $message): void
    {
        $order = $this->refunded_order();
        \PayrelayTestState::queue_json($status, ['error' => ['code' => $code, 'message' => $message]]);

        $result = $this->gateway()->process_refund(1042, '10.00', '');

        $this->assertInstanceOf(\WP_Error::class, $result);
        $this->assertSame($message, $result->get_error_message());
        $this->assertSame([], $order->notes);
    }

    public function test_an_earlier_refund_still_in_flight_tells_the_merchant_to_check_the_order_s_refunds_before_trying_again(): void
    {
        $order = $this->refunded_order();
        \PayrelayTestState::queue_json(409, ['error' => [
            'code' => 'earlier_refund_in_flight',
            'message' => 'Another refund of order 1042 is being made right now. Nothing was refunded for this one: try again in 5 s.',
        ]]);

        $result = $this->gateway()->process_refund(1042, '10.00', '');

        $this->assertInstanceOf(\WP_Error::class, $result);
        $this->assertSame(
            'An earlier refund of this order is still being made at the provider. Wait a few seconds, '
            . 'reload the order and check its refunds before trying again.',
            $result->get_error_message()
        );
        $this->assertSame([], $order->notes);
        $this->assertCount(1, \PayrelayTestState::$http_requests);
    }

    /** @return array<string, array{0: string, 1: string}> */
    public static function advised_waits(): array
    {
        return [
            'the turn wait' => ['5', 'try again in 5 seconds.'],
            'one second' => ['1', 'try again in 1 second.'],
            // settle-lost-refund.ts: until the provider can be sure whether a lost refund went through
            'a lost refund not yet known' => ['Thu, 01 Jan 2026 00:00:42 GMT', 'try again in 42 seconds.'],
        ];
    }

    /**
     * The relay dedupes by WooCommerce refund id; the refund in flight is another WooCommerce refund (another id), so
     * a retry here could pay the same money back twice. The merchant is told how long to wait instead.
     *
     * @dataProvider advised_waits
     */
    public function test_an_earlier_refund_in_flight_is_never_asked_again_and_the_merchant_reads_the_wait(string $header, string $said): void
    {
        $order = $this->refunded_order();
        \PayrelayTestState::queue_json(409, ['error' => [
            'code' => 'earlier_refund_in_flight',
            'message' => 'Another refund of order 1042 is being made right now.',
        ]], ['Retry-After' => $header]);
        // Were it asked again, this would refund.
        \PayrelayTestState::queue_json(201, ['refund_id' => '77', 'provider' => 'stripe', 'provider_refund_id' => 're_1', 'status' => 'succeeded']);

        $result = $this->gateway()->process_refund(1042, '10.00', '');

        $this->assertInstanceOf(\WP_Error::class, $result);
        $message = $result->get_error_message();
        $this->assertStringStartsWith('An earlier refund of this order is still being made at the provider, so nothing was refunded.', $message);
        $this->assertStringContainsString('check its refunds', $message);
        $this->assertStringEndsWith($said, $message);
        $this->assertCount(1, \PayrelayTestState::$http_requests);
        $this->assertCount(1, \PayrelayTestState::$http_responses);
        $this->assertSame([], $order->notes);
    }

    public function test_a_relay_busy_with_a_short_retry_after_is_not_asked_again_either(): void
    {
        $this->refunded_order();
        \PayrelayTestState::queue_json(503, ['error' => ['code' => 'http_503', 'message' => 'maintenance']], ['Retry-After' => '1']);
        \PayrelayTestState::queue_json(201, ['refund_id' => '77', 'provider' => 'stripe', 'provider_refund_id' => 're_1', 'status' => 'succeeded']);

        $this->assertInstanceOf(\WP_Error::class, $this->gateway()->process_refund(1042, '10.00', ''));
        $this->assertCount(1, \PayrelayTestState::$http_requests);
    }

    public function test_an_unreachable_relay_says_nothing_was_refunded(): void
    {
        $this->refunded_order();
        \PayrelayTestState::queue_network_error();
        $result = $this->gateway()->process_refund(1042, '10.00', '');
        $this->assertInstanceOf(\WP_Error::class, $result);
        $this->assertStringContainsString('could not be reached, so nothing was refunded', $result->get_error_message());
    }

    public function test_no_amount_and_another_gateway_s_order_are_refused_without_asking_the_relay(): void
    {
        $this->refunded_order();
        $this->assertInstanceOf(\WP_Error::class, $this->gateway()->process_refund(1042, null, ''));
        $this->assertInstanceOf(\WP_Error::class, $this->gateway()->process_refund(1042, '0', ''));
        $this->order(2001, true, 'bacs');
        $other = $this->gateway()->process_refund(2001, '1.00', '');
        $this->assertInstanceOf(\WP_Error::class, $other);
        $this->assertSame('This order was not paid through Payrelay.', $other->get_error_message());
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }
}
