<?php

namespace Payrelay\Tests;

use Payrelay\Contract;
use Payrelay\ReturnState;

/**
 * The return page's whole table: every WooCommerce order status × every latest-payment status has one expected
 * state, and every state has one headline that does not contradict the order.
 */
final class ReturnStateTest extends TestCase
{
    private const PAYMENTS = ['none', 'created', 'pending', 'review', 'paid', 'failed', 'expired', 'cancelled', 'refunded', 'unknown'];

    /** Rows: order status; columns: PAYMENTS in order. */
    private const TABLE = [
        'pending' => ['not_paid', 'confirming', 'confirming', 'review_pending', 'paid_updating', 'failed', 'expired', 'abandoned', 'refunded', 'confirming'],
        'failed' => ['not_paid', 'confirming', 'confirming', 'review_pending', 'paid_updating', 'failed', 'expired', 'abandoned', 'refunded', 'confirming'],
        'checkout-draft' => ['not_paid', 'confirming', 'confirming', 'review_pending', 'paid_updating', 'failed', 'expired', 'abandoned', 'refunded', 'confirming'],
        'on-hold' => ['on_hold', 'confirming', 'confirming', 'review', 'on_hold_paid', 'on_hold', 'on_hold', 'on_hold', 'on_hold', 'confirming'],
        'processing' => ['confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'refunded', 'confirmed'],
        'completed' => ['confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'confirmed', 'refunded', 'confirmed'],
        'cancelled' => ['cancelled', 'confirming', 'confirming', 'confirming', 'paid_after_cancel', 'cancelled', 'cancelled', 'cancelled', 'cancelled', 'confirming'],
        'refunded' => ['order_refunded', 'order_refunded', 'order_refunded', 'order_refunded', 'order_refunded', 'order_refunded', 'order_refunded', 'order_refunded', 'order_refunded', 'order_refunded'],
        'shipped (another plugin\'s status)' => ['order_received', 'order_received', 'order_received', 'order_received', 'order_received', 'order_received', 'order_received', 'order_received', 'order_received', 'order_received'],
    ];

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public static function pairs(): array
    {
        $pairs = [];
        foreach (self::TABLE as $order => $row) {
            foreach (self::PAYMENTS as $index => $payment) {
                $pairs["order $order, payment $payment"] = [explode(' ', $order)[0], $payment, $row[$index]];
            }
        }
        return $pairs;
    }

    public function test_the_table_covers_every_status_of_both_sides(): void
    {
        $this->assertSame(
            array_merge(array_keys(Contract::DATA['statuses']), ['none', 'unknown']),
            array_values(array_intersect(array_merge(array_keys(Contract::DATA['statuses']), ['none', 'unknown']), self::PAYMENTS))
        );
        $this->assertCount(count(Contract::DATA['statuses']) + 2, self::PAYMENTS);
        foreach (ReturnState::ORDER_STATUSES as $status) {
            $this->assertArrayHasKey($status, self::TABLE);
        }
    }

    /**
     * @dataProvider pairs
     */
    public function test_one_state_per_pair_consistent_with_the_order(string $order, string $payment, string $expected): void
    {
        $view = ReturnState::resolve($order, $payment);

        $this->assertSame($expected, $view['state']);
        $this->assertNotSame('', $view['headline']);
        $this->assertNotSame('', $view['message']);
        // WooCommerce takes payment only for pending and failed orders: anything else offering "Pay" is a dead end.
        if ($view['payable']) {
            $this->assertContains($order, ['pending', 'failed', 'checkout-draft']);
        }
        // "Confirmed" only when the shop has the order as paid or the relay has confirmed the money.
        if (str_contains($view['headline'], 'confirmed') || str_contains($view['headline'], 'received your payment')) {
            $this->assertTrue(in_array($order, ['processing', 'completed'], true) || $payment === 'paid', $view['headline']);
        }
        // Nothing that may still change is final (the page keeps asking), and a page that offers "Pay" has stopped.
        if (in_array($view['state'], ['confirming', 'paid_updating', 'paid_after_cancel', 'review_pending'], true)) {
            $this->assertFalse($view['final']);
        }
        if ($view['payable']) {
            $this->assertTrue($view['final']);
        }
    }

    public function test_a_status_this_plugin_does_not_know_keeps_confirming(): void
    {
        $this->assertSame('confirming', ReturnState::resolve('pending', 'authorized_maybe')['state']);
        $this->assertSame('confirming', ReturnState::resolve('cancelled', 'authorized_maybe')['state']);
    }

    public function test_headlines_differ_where_the_situation_differs(): void
    {
        $states = ['confirmed', 'confirming', 'review', 'not_paid', 'abandoned', 'failed', 'expired', 'cancelled', 'on_hold', 'refunded', 'order_refunded'];
        $headlines = array_map(static fn (string $s): string => ReturnState::state($s)['headline'], $states);
        $this->assertCount(count($states), array_unique($headlines));
    }
}
