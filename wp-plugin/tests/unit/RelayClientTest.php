<?php

namespace Payrelay\Tests;

use Payrelay\Log;
use Payrelay\RelayClient;
use Payrelay\RelaySigner;

final class RelayClientTest extends TestCase
{
    public function test_post_is_signed_over_method_path_and_exact_body(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'version' => '0.1.0', 'mode' => 'test', 'time' => 'x']);
        $result = $this->client()->ping();

        $this->assertTrue($result->ok);
        $request = $this->last_request();
        $this->assertSame('POST', $request['method']);
        $this->assertSame('https://relay.test/v1/ping', $request['url']);
        $this->assertSame('{}', $request['args']['body']);
        $headers = $request['args']['headers'];
        $this->assertSame((string) self::NOW, $headers['X-Payrelay-Timestamp']);
        $this->assertSame(RelaySigner::sign(self::SECRET, self::NOW, 'POST', '/v1/ping', '{}'), $headers['X-Payrelay-Signature']);
        $this->assertSame(0, $request['args']['redirection']);
        $this->assertGreaterThan(0, $request['args']['timeout']);
    }

    public function test_no_shop_id_sends_no_shop_header(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true]);
        $this->client()->ping();
        $this->assertArrayNotHasKey('X-Payrelay-Shop', $this->last_request()['args']['headers']);
    }

    public function test_a_shop_id_is_sent_as_the_shop_header_and_the_signature_is_unchanged(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true]);
        $settings = \Payrelay\Settings::from_array([
            'relay_url' => 'https://relay.test/',
            'shop_secret' => self::SECRET,
            'shop_id' => ' alpha ',
        ]);
        $this->assertSame('alpha', $settings->shop_id);
        $client = new RelayClient($settings->relay_url, $settings->shop_secret, new Log(false), static fn (): int => self::NOW, $settings->shop_id);
        $client->ping();

        $headers = $this->last_request()['args']['headers'];
        $this->assertSame('alpha', $headers['X-Payrelay-Shop']);
        $this->assertSame(RelaySigner::sign(self::SECRET, self::NOW, 'POST', '/v1/ping', '{}'), $headers['X-Payrelay-Signature']);
    }

    public function test_from_settings_carries_the_shop_id(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true]);
        $settings = \Payrelay\Settings::from_array(['relay_url' => 'https://relay.test', 'shop_secret' => self::SECRET, 'shop_id' => 'beta']);
        RelayClient::from_settings($settings, new Log(false))->ping();
        $this->assertSame('beta', $this->last_request()['args']['headers']['X-Payrelay-Shop']);
    }

    public function test_get_signs_the_query_and_sends_no_body(): void
    {
        \PayrelayTestState::queue_json(200, ['status' => 'pending']);
        $this->client()->session_status('ps_01HZX', 'st_abc');

        $request = $this->last_request();
        $this->assertSame('GET', $request['method']);
        $this->assertSame('https://relay.test/v1/sessions/ps_01HZX/status?token=st_abc', $request['url']);
        $this->assertArrayNotHasKey('body', $request['args']);
        // The shared vector "status-with-query" pins the same signature.
        $this->assertSame(
            'v1=fd664af30ce69300bfcebef753ad39ac431a6a5daf69b7e7ff04ceac3f52ad4b',
            $request['args']['headers']['X-Payrelay-Signature']
        );
    }

    public function test_a_path_prefix_in_the_relay_url_is_part_of_the_signed_path(): void
    {
        \PayrelayTestState::queue_json(200, ['entries' => []]);
        $this->client('https://shop.test/relay/')->order_timeline(7);

        $request = $this->last_request();
        $this->assertSame('https://shop.test/relay/v1/orders/7/timeline', $request['url']);
        $this->assertSame(
            RelaySigner::sign(self::SECRET, self::NOW, 'GET', '/relay/v1/orders/7/timeline', ''),
            $request['args']['headers']['X-Payrelay-Signature']
        );
    }

    /** @return array<string, array{0: callable(): void, 1: int, 2: string}> */
    public static function failures(): array
    {
        return [
            'network error' => [static fn () => \PayrelayTestState::queue_network_error(), 0, 'relay_unreachable'],
            '401 with error body' => [
                static fn () => \PayrelayTestState::queue_json(401, ['error' => ['code' => 'bad_signature', 'message' => 'no']]),
                401,
                'bad_signature',
            ],
            '502 without JSON' => [static fn () => \PayrelayTestState::queue_raw(502, '<html>Bad gateway</html>'), 502, 'http_502'],
            '200 without JSON' => [static fn () => \PayrelayTestState::queue_raw(200, 'OK'), 200, 'bad_relay_answer'],
        ];
    }

    /**
     * @dataProvider failures
     */
    public function test_failures_are_values_with_stable_codes(callable $queue, int $status, string $code): void
    {
        $queue();
        $result = $this->client()->diagnostics();
        $this->assertFalse($result->ok);
        $this->assertSame($status, $result->http_status);
        $this->assertSame($code, $result->error_code);
    }

    public function test_error_details_are_kept(): void
    {
        \PayrelayTestState::queue_json(400, ['error' => [
            'code' => 'invalid_request',
            'message' => 'invalid',
            'details' => ['"currency" is required', '"amount" must be an integer'],
        ]]);
        $result = $this->client()->create_session(['order_id' => '1'], 'k');
        $this->assertSame(['"currency" is required', '"amount" must be an integer'], $result->details);
        $this->assertStringContainsString('"amount" must be an integer', $result->describe());
    }

    public function test_without_url_or_secret_nothing_is_sent(): void
    {
        $client = new RelayClient('', self::SECRET, new Log(false));
        $this->assertSame('not_configured', $client->ping()->error_code);
        $client = new RelayClient('https://relay.test', '', new Log(false));
        $this->assertSame('not_configured', $client->ping()->error_code);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_debug_log_never_holds_the_secret_or_status_token(): void
    {
        \PayrelayTestState::queue_json(200, ['status' => 'pending']);
        $this->client()->session_status('ps_1', 'st_very_secret');
        $this->assertNotEmpty(\PayrelayTestState::$logs);
        foreach (\PayrelayTestState::$logs as [, $line]) {
            $this->assertStringNotContainsString('st_very_secret', $line);
            $this->assertStringNotContainsString(self::SECRET, $line);
        }
    }
}
