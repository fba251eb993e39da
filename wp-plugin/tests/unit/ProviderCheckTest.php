<?php

namespace Payrelay\Tests;

use Payrelay\Log;
use Payrelay\ProviderCheck;

final class ProviderCheckTest extends TestCase
{
    private function check(): ProviderCheck
    {
        return new ProviderCheck($this->client(), new Log(false));
    }

    /** @return array<string, array{0: callable(): void, 1: bool, 2: string}> relay answer → cancel?, the note */
    public static function answers(): array
    {
        $answer = static fn (string $status, bool $paid, bool $open) => static fn () => \PayrelayTestState::queue_json(
            200,
            ['order_id' => '1042', 'status' => $status, 'paid' => $paid, 'open' => $open, 'sessions' => []]
        );
        return [
            'paid at the provider: keep' => [$answer('paid', true, false), false, 'Not cancelled for non-payment: the payment is paid at the provider.'],
            'still open at the provider: keep' => [$answer('pending', false, true), false, 'Not cancelled for non-payment: the payment is being processed at the provider.'],
            'expired everywhere: cancel' => [$answer('expired', false, false), true, 'The hold-stock time is over and no payment is paid or open at the provider (last payment: expired without payment): the order is cancelled for non-payment.'],
            'failed everywhere: cancel' => [$answer('failed', false, false), true, 'The hold-stock time is over and no payment is paid or open at the provider (last payment: failed): the order is cancelled for non-payment.'],
            'relay down: keep, say so, ask again next run' => [static fn () => \PayrelayTestState::queue_network_error(), false, 'Kept this unpaid order instead of cancelling it: Payrelay could not ask the relay whether it was paid (the relay could not be reached; check the relay URL and that the relay is running). WooCommerce asks again at its next hold-stock run. Detail: relay_unreachable: cURL error 7: Failed to connect'],
            'relay error: keep and say so' => [static fn () => \PayrelayTestState::queue_json(500, []), false, 'Kept this unpaid order instead of cancelling it: Payrelay could not ask the relay whether it was paid (the relay or the payment providers are having a problem right now). WooCommerce asks again at its next hold-stock run. Detail: http_500: the relay answered HTTP 500 (HTTP 500)'],
        ];
    }

    /**
     * @dataProvider answers
     */
    public function test_cancel_unpaid_guard_writes_its_decision(callable $queue, bool $cancel, string $note): void
    {
        $order = $this->order();
        $queue();

        $this->assertSame($cancel, $this->check()->filter_cancel_unpaid(true, $order));

        $this->assertSame('https://relay.test/v1/orders/1042/check', $this->last_request()['url']);
        $this->assertSame('POST', $this->last_request()['method']);
        $this->assertSame([$note], $order->notes);

        // The next hold-stock run finds the same: no second note.
        $queue();
        $this->assertSame($cancel, $this->check()->filter_cancel_unpaid(true, $order));
        $this->assertCount(1, $order->notes);
    }

    public function test_other_gateways_and_kept_orders_are_left_alone(): void
    {
        $this->assertTrue($this->check()->filter_cancel_unpaid(true, $this->order(1, false, 'bacs')));
        $this->assertFalse($this->check()->filter_cancel_unpaid(false, $this->order(2)));
        $this->assertTrue($this->check()->filter_cancel_unpaid(true, null));
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_block_checkout_orders_get_the_same_hold_stock_rule(): void
    {
        // WooCommerce 8.9 passes `created_via === 'checkout'` as the default: false for the block checkout.
        $order = $this->order();
        $order->created_via = 'store-api';
        \PayrelayTestState::queue_json(200, ['status' => 'expired', 'paid' => false, 'open' => false, 'sessions' => []]);
        $this->assertTrue($this->check()->filter_cancel_unpaid(false, $order));

        $kept = $this->order(1043);
        $kept->created_via = 'store-api';
        \PayrelayTestState::queue_json(200, ['status' => 'pending', 'paid' => false, 'open' => true, 'sessions' => []]);
        $this->assertFalse($this->check()->filter_cancel_unpaid(false, $kept));
        $this->assertCount(1, $kept->notes);
    }

    private const TWO_SESSIONS = [
        'order_id' => '1042',
        'status' => 'paid',
        'paid' => true,
        'open' => false,
        'sessions' => [['session_id' => 'ps_1', 'provider' => 'mollie', 'status' => 'expired'],
            ['session_id' => 'ps_2', 'provider' => 'stripe', 'status' => 'paid']],
    ];

    public function test_check_answers_with_the_result_and_notes_it_once(): void
    {
        $order = $this->order();
        \PayrelayTestState::queue_json(200, self::TWO_SESSIONS);

        $answer = $this->check()->check_and_note($order);

        $this->assertSame([
            'ok' => true,
            'changed' => true,
            'status' => 'paid',
            'message' => 'The payment is paid at the provider. Mollie session ps_1: expired without payment; Stripe session ps_2: paid. A note was added; the relay brings the order up to date.',
            'order_status' => 'pending',
            'order_status_label' => 'Pending payment',
        ], $answer);
        $this->assertSame(
            ['Payment checked at the provider: the payment is paid at the provider. Mollie session ps_1: expired without payment; Stripe session ps_2: paid.'],
            $order->notes
        );
        $this->assertStringNotContainsString('paid (paid)', $order->notes[0]);

        // The same answer again: said on screen, no second note.
        \PayrelayTestState::queue_json(200, self::TWO_SESSIONS);
        $again = $this->check()->check_and_note($order);
        $this->assertFalse($again['changed']);
        $this->assertSame('Nothing changed since the last check: the payment is paid at the provider. No note added.', $again['message']);
        $this->assertCount(1, $order->notes);
    }

    public function test_check_says_what_changed_since_the_last_check(): void
    {
        $order = $this->order();
        \PayrelayTestState::queue_json(200, ['status' => 'pending', 'paid' => false, 'open' => true, 'sessions' => [['session_id' => 'ps_2', 'provider' => 'stripe', 'status' => 'pending']]]);
        $this->check()->check_and_note($order);
        \PayrelayTestState::queue_json(200, ['status' => 'paid', 'paid' => true, 'open' => false, 'sessions' => [['session_id' => 'ps_2', 'provider' => 'stripe', 'status' => 'paid']]]);
        // The relay repaired the order while answering: the answer carries the order's new status.
        $order->status = 'processing';

        $answer = $this->check()->check_and_note($order);

        $this->assertTrue($answer['changed']);
        $this->assertStringContainsString('Stripe session ps_2: being processed, now paid', $answer['message']);
        $this->assertSame('Processing', $answer['order_status_label']);
        $this->assertCount(2, $order->notes);
    }

    public function test_a_failed_check_is_said_in_words_with_the_code_in_a_detail(): void
    {
        $order = $this->order();
        \PayrelayTestState::queue_network_error('timed out');
        $answer = $this->check()->check_and_note($order);
        $this->assertFalse($answer['ok']);
        $this->assertSame('The payment could not be checked: the relay could not be reached; check the relay URL and that the relay is running.', $answer['message']);
        $this->assertSame([$answer['message'] . ' Detail: relay_unreachable: timed out'], $order->notes);
    }

    public function test_the_order_action_shows_its_answer_after_the_redirect(): void
    {
        $order = $this->order();
        \PayrelayTestState::queue_json(200, self::TWO_SESSIONS);
        $this->check()->run_order_action($order);
        $html = $this->output_of(fn () => $this->check()->bulk_notice());
        $this->assertStringContainsString('The payment is paid at the provider.', $html);
        $this->assertSame('', $this->output_of(fn () => $this->check()->bulk_notice()), 'shown once');
    }

    public function test_the_check_button_answers_over_ajax(): void
    {
        $order = $this->order();
        $_POST = ['nonce' => 'nonce-' . ProviderCheck::ACTION, 'order_id' => '1042'];
        $_REQUEST = $_POST;
        \PayrelayTestState::queue_json(200, self::TWO_SESSIONS);

        $response = $this->json_from(fn () => $this->check()->ajax_check());

        $this->assertTrue($response->success);
        $this->assertSame('paid', $response->data['status']);
        $this->assertSame('pending', $response->data['order_status']);

        $_POST['peek'] = '1';
        $order->status = 'processing';
        $peek = $this->json_from(fn () => $this->check()->ajax_check());
        $this->assertSame(['order_status' => 'processing', 'order_status_label' => 'Processing'], $peek->data);
        $this->assertCount(1, \PayrelayTestState::$http_requests, 'peeking does not ask the relay');
    }

    public function test_the_check_button_needs_the_nonce_and_the_capability(): void
    {
        $this->order();
        $_POST = ['nonce' => 'wrong', 'order_id' => '1042'];
        $_REQUEST = $_POST;
        $this->assertSame(403, $this->json_from(fn () => $this->check()->ajax_check())->status);
        $_POST['nonce'] = $_REQUEST['nonce'] = 'nonce-' . ProviderCheck::ACTION;
        \PayrelayTestState::$capabilities = [];
        $this->assertSame(403, $this->json_from(fn () => $this->check()->ajax_check())->status);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_order_action_is_offered_only_for_payrelay_orders(): void
    {
        $actions = $this->check()->add_order_action(['send_order_details' => 'Send'], $this->order());
        $this->assertArrayHasKey(ProviderCheck::ACTION, $actions);
        $actions = $this->check()->add_order_action([], $this->order(7, false, 'bacs'));
        $this->assertArrayNotHasKey(ProviderCheck::ACTION, $actions);
    }

    public function test_bulk_action_checks_each_payrelay_order(): void
    {
        $ours = $this->order(1);
        $theirs = $this->order(2, false, 'bacs');
        \PayrelayTestState::queue_json(200, ['status' => 'pending', 'paid' => false, 'open' => true, 'sessions' => []]);

        $redirect = $this->check()->handle_bulk_action('https://shop.test/wp-admin/admin.php?page=wc-orders', ProviderCheck::ACTION, ['1', '2']);

        $this->assertSame('https://shop.test/wp-admin/admin.php?page=wc-orders&payrelay_checked=1', $redirect);
        $this->assertCount(1, $ours->notes);
        $this->assertSame([], $theirs->notes);
        $this->assertCount(1, \PayrelayTestState::$http_requests);
    }

    public function test_bulk_action_needs_the_capability_and_its_own_action(): void
    {
        $this->order(1);
        $this->assertSame('u', $this->check()->handle_bulk_action('u', 'mark_completed', ['1']));
        \PayrelayTestState::$capabilities = [];
        $this->assertSame('u', $this->check()->handle_bulk_action('u', ProviderCheck::ACTION, ['1']));
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_bulk_notice(): void
    {
        $_GET[ProviderCheck::BULK_DONE_ARG] = '3';
        $html = $this->output_of(fn () => $this->check()->bulk_notice());
        $this->assertStringContainsString('Checked 3 Payrelay orders at the provider', $html);
    }
}
