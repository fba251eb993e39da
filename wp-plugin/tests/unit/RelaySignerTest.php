<?php

namespace Payrelay\Tests;

use Payrelay\RelaySigner;

final class RelaySignerTest extends TestCase
{
    /** @return array<string, array{0: array<string, mixed>}> */
    public static function vectors(): array
    {
        $file = json_decode((string) file_get_contents(self::shared_file('request-signing-vectors.json')), true);
        $cases = [];
        foreach ($file['vectors'] as $vector) {
            $cases[$vector['id']] = [$vector];
        }
        return $cases;
    }

    /**
     * @dataProvider vectors
     * @param array<string, mixed> $vector
     */
    public function test_signs_like_the_relay(array $vector): void
    {
        $signature = RelaySigner::sign(
            $vector['secret'],
            $vector['timestamp'],
            $vector['method'],
            $vector['path'],
            $vector['body']
        );
        if ($vector['expected'] === 'verify') {
            $this->assertSame($vector['signature'], $signature);
        } else {
            $this->assertSame('fail', $vector['expected']);
            $this->assertFalse(hash_equals($vector['signature'], $signature), 'a changed input must change the signature');
        }
    }

    public function test_both_kinds_of_vector_are_present(): void
    {
        $expected = array_map(static fn (array $case): string => $case[0]['expected'], self::vectors());
        $this->assertContains('verify', $expected);
        $this->assertContains('fail', $expected);
    }

    public function test_method_is_upper_cased(): void
    {
        $this->assertSame(
            RelaySigner::sign('s', 1, 'POST', '/v1/ping', '{}'),
            RelaySigner::sign('s', 1, 'post', '/v1/ping', '{}')
        );
    }
}
