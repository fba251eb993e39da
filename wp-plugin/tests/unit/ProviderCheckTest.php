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

    /** @return array<string, array{0: callable(): void, 1: bool, 2: int}> relay answer → cancel?, notes */
    public static function answers(): array
    {
        $answer = static fn (string $status, bool $paid, bool $open) => static fn () => \PayrelayTestState::queue_json(
            200,
            ['order_id' => '1042', 'status' => $status, 'paid' => $paid, 'open' => $open, 'sessions' => []]
        );
        return [
            'paid at the provider: keep' => [$answer('paid', true, false), false, 1],
            'still open at the provider: keep' => [$answer('pending', false, true), false, 1],
            'expired everywhere: cancel' => [$answer('expired', false, false), true, 0],
            'failed everywhere: cancel' => [$answer('failed', false, false), true, 0],
            'relay down: keep and ask again next run' => [static fn () => \PayrelayTestState::queue_network_error(), false, 0],
            'relay error: keep' => [static fn () => \PayrelayTestState::queue_json(500, []), false, 0],
        ];
    }

    /**
     * @dataProvider answers
     */
    public function test_cancel_unpaid_guard(callable $queue, bool $cancel, int $notes): void
    {
        $order = $this->order();
        $queue();

        $this->assertSame($cancel, $this->check()->filter_cancel_unpaid(true, $order));

        $this->assertSame('https://relay.test/v1/orders/1042/check', $this->last_request()['url']);
        $this->assertSame('POST', $this->last_request()['method']);
        $this->assertCount($notes, $order->notes);
        if ($notes > 0) {
            $this->assertStringStartsWith('Not cancelled for non-payment', $order->notes[0]);
        }
    }

    public function test_other_gateways_and_kept_orders_are_left_alone(): void
    {
        $this->assertTrue($this->check()->filter_cancel_unpaid(true, $this->order(1, false, 'bacs')));
        $this->assertFalse($this->check()->filter_cancel_unpaid(false, $this->order(2)));
        $this->assertTrue($this->check()->filter_cancel_unpaid(true, null));
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_order_action_notes_what_the_provider_says(): void
    {
        $order = $this->order();
        \PayrelayTestState::queue_json(200, [
            'order_id' => '1042',
            'status' => 'paid',
            'paid' => true,
            'open' => false,
            'sessions' => [['session_id' => 'ps_1', 'provider' => 'mollie', 'status' => 'expired'],
                ['session_id' => 'ps_2', 'provider' => 'stripe', 'status' => 'paid']],
        ]);

        $this->check()->run_order_action($order);

        $this->assertSame(
            ['Payment checked at provider: paid (paid). Sessions: ps_1 at mollie: expired; ps_2 at stripe: paid.'],
            $order->notes
        );
        $this->assertSame(1, $order->saves);
    }

    public function test_order_action_notes_a_failed_check(): void
    {
        $order = $this->order();
        \PayrelayTestState::queue_network_error('timed out');
        $this->check()->run_order_action($order);
        $this->assertSame(['Payment check at provider failed: relay_unreachable: timed out'], $order->notes);
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
