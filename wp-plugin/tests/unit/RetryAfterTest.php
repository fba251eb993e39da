<?php

namespace Payrelay\Tests;

use Payrelay\RetryAfter;

final class RetryAfterTest extends TestCase
{
    /** @return array<string, array{0: mixed, 1: int|null}> */
    public static function headers(): array
    {
        // self::NOW is Thu, 01 Jan 2026 00:00:00 GMT.
        return [
            'seconds' => ['5', 5],
            'seconds with spaces' => [' 2 ', 2],
            'zero' => ['0', 0],
            'IMF-fixdate' => ['Thu, 01 Jan 2026 00:00:07 GMT', 7],
            'RFC 850 date' => ['Thursday, 01-Jan-26 00:00:07 GMT', 7],
            'asctime date' => ['Thu Jan  1 00:00:07 2026', 7],
            'a date already past' => ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
            'sent twice: the first' => [['3', '9'], 3],
            'absent' => ['', null],
            'not a string' => [null, null],
            'negative' => ['-5', null],
            'a fraction' => ['1.5', null],
            'words' => ['soon', null],
            'a date strtotime would take' => ['tomorrow', null],
            'a date without its zone' => ['Thu, 01 Jan 2026 00:00:07', null],
            'an impossible date' => ['Thu, 32 Jan 2026 00:00:07 GMT', null],
        ];
    }

    /**
     * @dataProvider headers
     * @param mixed $header
     */
    public function test_reads_seconds_and_http_dates_and_nothing_else($header, ?int $expected): void
    {
        $this->assertSame($expected, RetryAfter::seconds($header, self::NOW));
    }

    public function test_the_client_keeps_the_relay_s_advice_on_a_failure(): void
    {
        \PayrelayTestState::queue_json(409, ['error' => ['code' => 'earlier_refund_in_flight', 'message' => 'wait']], ['retry-after' => '5']);
        $this->assertSame(5, $this->client()->ping()->retry_after);

        \PayrelayTestState::queue_json(503, ['error' => ['code' => 'x', 'message' => 'down']], ['Retry-After' => 'Thu, 01 Jan 2026 00:00:02 GMT']);
        $this->assertSame(2, $this->client()->ping()->retry_after);

        \PayrelayTestState::queue_json(503, ['error' => ['code' => 'x', 'message' => 'down']]);
        $this->assertNull($this->client()->ping()->retry_after);
    }
}
