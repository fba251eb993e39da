<?php

namespace Payrelay\Tests;

use Payrelay\Admin\Diagnostics;
use Payrelay\Gateway;
use Payrelay\Log;
use Payrelay\SessionStarter;

/** The shopper's session start sits out a short Retry-After once, with the same idempotency key, then gives up. */
final class SessionStartRetryTest extends TestCase
{
    private const SESSION = [
        'session_id' => 'ps_01HZX',
        'provider' => 'stripe',
        'checkout_url' => 'https://checkout.stripe.test/c/pay/cs_123',
        'expires_at' => '2026-01-01T01:00:00Z',
        'status' => 'created',
        'status_token' => 'st_abc',
    ];

    /** @var int[] */
    private array $slept = [];

    private function gateway(): Gateway
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = [
            'enabled' => 'yes',
            'relay_url' => 'https://relay.test',
            'shop_secret' => self::SECRET,
            'methods' => ['card'],
            'debug' => 'no',
        ];
        $client = $this->client();
        $sleep = function (int $seconds): void {
            $this->slept[] = $seconds;
        };
        return new Gateway(
            new SessionStarter($client, new Log(false), $sleep),
            new Diagnostics($client, '/plugins/payrelay/payrelay.php', '0.1.0')
        );
    }

    private static function in_flight(string $retry_after): void
    {
        \PayrelayTestState::queue_json(
            409,
            ['error' => ['code' => 'earlier_request_in_flight', 'message' => 'still being made']],
            ['retry-after' => $retry_after]
        );
    }

    /** @return string[] */
    private static function keys_sent(): array
    {
        return array_map(
            static fn (array $request): string => $request['args']['headers']['Idempotency-Key'],
            \PayrelayTestState::$http_requests
        );
    }

    public function test_a_short_wait_is_sat_out_once_and_the_same_request_gets_the_session(): void
    {
        $this->order();
        $_POST['payrelay_method'] = 'card';
        self::in_flight('2');
        \PayrelayTestState::queue_json(201, self::SESSION);

        $result = $this->gateway()->process_payment(1042);

        $this->assertSame(['result' => 'success', 'redirect' => self::SESSION['checkout_url']], $result);
        $this->assertSame([2], $this->slept);
        $keys = self::keys_sent();
        $this->assertCount(2, $keys);
        $this->assertSame($keys[0], $keys[1]);
    }

    /** @return array<string, array{0: callable(): void}> */
    public static function short_busy_answers(): array
    {
        return [
            'rate limited (429, HTTP-date)' => [static fn () => \PayrelayTestState::queue_json(
                429,
                ['error' => ['code' => 'too_many_requests', 'message' => 'slow down']],
                ['Retry-After' => 'Thu, 01 Jan 2026 00:00:01 GMT']
            )],
            'maintenance (503)' => [static fn () => \PayrelayTestState::queue_json(
                503,
                ['error' => ['code' => 'http_503', 'message' => 'maintenance']],
                ['Retry-After' => '3']
            )],
        ];
    }

    /**
     * @dataProvider short_busy_answers
     * @param callable(): void $queue_busy
     */
    public function test_a_second_busy_answer_is_not_retried_again_and_the_shopper_gets_the_message(callable $queue_busy): void
    {
        $order = $this->order();
        $_POST['payrelay_method'] = 'card';
        $queue_busy();
        $queue_busy();

        $result = $this->gateway()->process_payment(1042);

        $this->assertSame('failure', $result['result']);
        $this->assertCount(1, $this->slept);
        $this->assertCount(2, \PayrelayTestState::$http_requests);
        $this->assertSame([], \PayrelayTestState::$http_responses);
        $this->assertCount(1, $order->notes);
    }

    /** @return array<string, array{0: callable(): void}> */
    public static function answers_not_retried(): array
    {
        return [
            // The relay's own turn wait today: longer than the shopper should sit in the checkout request.
            'in flight, 5 s' => [static fn () => self::in_flight('5')],
            'providers down, 30 s' => [static fn () => \PayrelayTestState::queue_json(
                503,
                ['error' => ['code' => 'providers_unavailable', 'message' => 'all down']],
                ['Retry-After' => '30']
            )],
            'a far HTTP-date' => [static fn () => \PayrelayTestState::queue_json(
                429,
                ['error' => ['code' => 'too_many_requests', 'message' => 'slow down']],
                ['Retry-After' => 'Thu, 01 Jan 2026 00:01:00 GMT']
            )],
            'no Retry-After' => [static fn () => \PayrelayTestState::queue_json(
                409,
                ['error' => ['code' => 'earlier_request_in_flight', 'message' => 'still being made']]
            )],
            'garbage Retry-After' => [static fn () => self::in_flight('soon')],
            'a refusal that carries one' => [static fn () => \PayrelayTestState::queue_json(
                422,
                ['error' => ['code' => 'no_provider_available', 'message' => 'no route']],
                ['Retry-After' => '1']
            )],
        ];
    }

    /**
     * @dataProvider answers_not_retried
     * @param callable(): void $queue
     */
    public function test_a_long_absent_or_unreadable_wait_or_a_refusal_is_shown_at_once(callable $queue): void
    {
        $this->order();
        $_POST['payrelay_method'] = 'card';
        $queue();

        $result = $this->gateway()->process_payment(1042);

        $this->assertSame('failure', $result['result']);
        $this->assertSame([], $this->slept);
        $this->assertCount(1, \PayrelayTestState::$http_requests);
    }
}
