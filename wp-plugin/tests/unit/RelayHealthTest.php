<?php

namespace Payrelay\Tests;

use Payrelay\Admin\RelayHealth;

/** The admin notice's conditions: a background check, a threshold, a stale answer trusted neither way. */
final class RelayHealthTest extends TestCase
{
    private int $now = 2_000_000;

    private function health(): RelayHealth
    {
        return new RelayHealth($this->client(), fn (): int => $this->now);
    }

    private function notice(): string
    {
        return $this->output_of(fn () => $this->health()->notice());
    }

    public function test_no_notice_before_a_check_or_while_the_relay_answers(): void
    {
        $this->assertSame('', $this->notice());
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'test']);
        $this->health()->run();
        $this->now += 3600;
        $this->assertSame('', $this->notice());
    }

    /** @return array<string, array{0: callable(): void, 1: string}> */
    public static function outages(): array
    {
        return [
            'unreachable' => [static fn () => \PayrelayTestState::queue_network_error('cURL error 7'), 'the relay could not be reached'],
            'secret refused' => [static fn () => \PayrelayTestState::queue_json(401, ['error' => ['code' => 'bad_signature', 'message' => 'no']]), 'the relay refused the shop secret'],
            'relay broken' => [static fn () => \PayrelayTestState::queue_json(503, []), 'the relay or the payment providers are having a problem right now'],
        ];
    }

    /**
     * @dataProvider outages
     */
    public function test_a_notice_after_a_few_minutes_of_outage_only(callable $fail, string $words): void
    {
        $fail();
        $this->health()->run();
        $this->assertSame('', $this->notice(), 'one failed check is not an outage yet');

        $this->now += RelayHealth::OUTAGE_SECONDS - 300;
        $fail();
        $this->health()->run();
        $this->assertSame('', $this->notice());

        $this->now += 300;
        $fail();
        $this->health()->run();
        $html = $this->notice();
        $this->assertStringContainsString('Payrelay cannot take payments right now.', $html);
        $this->assertStringContainsString('For 10 minutes ' . $words, $html);
        $this->assertStringContainsString('section=payrelay', $html);
        $this->assertCount(3, \PayrelayTestState::$http_requests, 'only the background checks asked the relay');

        // Fixed: the next check clears it.
        \PayrelayTestState::queue_json(200, ['ok' => true]);
        $this->health()->run();
        $this->assertSame('', $this->notice());
    }

    public function test_showing_the_notice_never_asks_the_relay(): void
    {
        \PayrelayTestState::queue_network_error();
        $this->health()->run();
        $this->now += RelayHealth::OUTAGE_SECONDS;
        \PayrelayTestState::queue_network_error();
        $this->health()->run();
        $before = count(\PayrelayTestState::$http_requests);
        $this->notice();
        $this->notice();
        $this->assertSame($before, count(\PayrelayTestState::$http_requests));
    }

    public function test_a_stale_answer_is_not_trusted(): void
    {
        \PayrelayTestState::queue_network_error();
        $this->health()->run();
        $this->now += RelayHealth::STALE_SECONDS + 1;
        $this->assertFalse($this->health()->is_down());
    }

    public function test_only_shop_managers_see_it(): void
    {
        \PayrelayTestState::queue_network_error();
        $this->health()->run();
        $this->now += RelayHealth::OUTAGE_SECONDS;
        \PayrelayTestState::queue_network_error();
        $this->health()->run();
        \PayrelayTestState::$capabilities = [];
        $this->assertSame('', $this->notice());
    }

    public function test_a_refused_request_is_not_an_outage(): void
    {
        \PayrelayTestState::queue_json(422, ['error' => ['code' => 'no_provider_available', 'message' => 'x']]);
        $this->health()->run();
        $this->now += RelayHealth::OUTAGE_SECONDS;
        $this->assertFalse($this->health()->is_down());
    }

    public function test_the_check_is_scheduled_in_the_background(): void
    {
        RelayHealth::ensure_scheduled();
        $this->assertArrayHasKey(RelayHealth::CRON_HOOK, \PayrelayTestState::$scheduled);
        $schedules = RelayHealth::add_schedule([]);
        $this->assertSame(300, $schedules[RelayHealth::CRON_SCHEDULE]['interval']);
    }
}
