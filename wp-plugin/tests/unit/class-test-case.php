<?php

namespace Payrelay\Tests;

use Payrelay\Log;
use Payrelay\RelayClient;

abstract class TestCase extends \PHPUnit\Framework\TestCase
{
    protected const SECRET = 'prs_test_secret_0123456789abcdef';
    protected const NOW = 1767225600;

    protected function setUp(): void
    {
        \PayrelayTestState::reset();
    }

    /** The repository's shared/ folder: tests may read it, the plugin never does. */
    protected static function shared_file(string $name): string
    {
        return dirname(__DIR__, 3) . '/shared/' . $name;
    }

    protected function client(string $base = 'https://relay.test'): RelayClient
    {
        return new RelayClient($base, self::SECRET, new Log(true, [self::SECRET]), static fn (): int => self::NOW);
    }

    protected function order(int $id = 1042, bool $paid = false, string $method = 'payrelay'): \WC_Order
    {
        $order = new \WC_Order($id, '19.99', 'EUR', $method, $paid);
        \PayrelayTestState::$orders[$id] = $order;
        return $order;
    }

    /** @return array{method: string, url: string, args: array} */
    protected function last_request(): array
    {
        $requests = \PayrelayTestState::$http_requests;
        $this->assertNotEmpty($requests, 'expected an HTTP request to the relay');
        return $requests[count($requests) - 1];
    }

    /** Runs a callable that answers with wp_send_json_* and returns that answer. */
    protected function json_from(callable $call): \PayrelayJsonResponse
    {
        try {
            $call();
        } catch (\PayrelayJsonResponse $response) {
            return $response;
        }
        $this->fail('expected a JSON response');
    }

    protected function output_of(callable $call): string
    {
        ob_start();
        try {
            $call();
        } finally {
            $output = (string) ob_get_clean();
        }
        return $output;
    }
}
