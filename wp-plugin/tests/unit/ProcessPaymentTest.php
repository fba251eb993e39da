<?php

namespace Payrelay\Tests;

use Payrelay\Admin\Diagnostics;
use Payrelay\Gateway;
use Payrelay\Log;
use Payrelay\SessionStarter;

final class ProcessPaymentTest extends TestCase
{
    private const SESSION = [
        'session_id' => 'ps_01HZX',
        'provider' => 'stripe',
        'checkout_url' => 'https://checkout.stripe.test/c/pay/cs_123',
        'expires_at' => '2026-01-01T01:00:00Z',
        'status' => 'created',
        'status_token' => 'st_abc',
    ];

    /**
     * @param string[] $methods
     */
    private function gateway(array $methods = ['card', 'bank_transfer', 'wallet', 'crypto']): Gateway
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = [
            'enabled' => 'yes',
            'relay_url' => 'https://relay.test',
            'shop_secret' => self::SECRET,
            'title' => 'Pay online',
            'description' => '',
            'methods' => $methods,
            'debug' => 'no',
        ];
        $client = $this->client();
        return new Gateway(
            new SessionStarter($client, new Log(false)),
            new Diagnostics($client, '/plugins/payrelay/payrelay.php', '0.1.0')
        );
    }

    public function test_success_stores_the_session_notes_it_and_redirects(): void
    {
        $order = $this->order();
        $_POST['payrelay_method'] = 'card';
        \PayrelayTestState::queue_json(201, self::SESSION);

        $result = $this->gateway()->process_payment(1042);

        $this->assertSame(['result' => 'success', 'redirect' => self::SESSION['checkout_url']], $result);
        $this->assertSame('ps_01HZX', $order->saved_meta['_payrelay_session_id']);
        $this->assertSame('stripe', $order->saved_meta['_payrelay_provider']);
        $this->assertSame('st_abc', $order->saved_meta['_payrelay_status_token']);
        $this->assertSame('2026-01-01T01:00:00Z', $order->saved_meta['_payrelay_expires_at']);
        $this->assertSame(
            ['Payment session created at Stripe, session ps_01HZX, expires 2026-01-01 01:00:00 UTC.'],
            $order->notes
        );
        $this->assertSame('pending', $order->get_status());
        $this->assertSame([], \PayrelayTestState::$notices);

        $request = $this->last_request();
        $this->assertSame('https://relay.test/v1/sessions', $request['url']);
        $body = json_decode($request['args']['body'], true);
        $this->assertSame([
            'order_id' => '1042',
            'order_key' => 'wc_order_abc123',
            'amount' => 1999,
            'currency' => 'EUR',
            'customer' => ['email' => 'zoe@example.com', 'country' => 'DE'],
            'method' => 'card',
            'return_url' => 'https://shop.test/checkout/order-received/1042/?key=wc_order_abc123',
            'cancel_url' => 'https://shop.test/checkout/order-pay/1042/?pay_for_order=true&key=wc_order_abc123&payrelay_left=1',
            'locale' => 'de_DE',
            'site_url' => 'https://shop.test',
        ], $body);
        $this->assertMatchesRegularExpression('/^payrelay-1042-1-[0-9a-f]{12}$/', $request['args']['headers']['Idempotency-Key']);
    }

    /** @return array<string, array{0: callable(): void, 1: string, 2: string}> */
    public static function failures(): array
    {
        return [
            'relay unreachable' => [
                static fn () => \PayrelayTestState::queue_network_error('cURL error 28: timed out'),
                'We could not start the payment right now',
                'relay_unreachable: cURL error 28: timed out',
            ],
            'relay down (503)' => [
                static fn () => \PayrelayTestState::queue_json(503, ['error' => ['code' => 'providers_down', 'message' => 'all down']]),
                'We could not start the payment right now',
                'providers_down: all down (HTTP 503)',
            ],
            'no provider' => [
                static fn () => \PayrelayTestState::queue_json(422, [
                    'error' => ['code' => 'no_provider_available', 'message' => 'no route for crypto in EUR'],
                ]),
                'This payment method is not available for your order',
                'no_provider_available: no route for crypto in EUR (HTTP 422)',
            ],
            'no provider, the reasons named in the message and the details: said once' => [
                static fn () => \PayrelayTestState::queue_json(422, [
                    'error' => [
                        'code' => 'no_provider_available',
                        'message' => 'No provider can take the card payment of 19.99 EUR from DE (Mollie: not configured; Stripe: circuit open)',
                        'details' => ['Mollie: not configured', 'Stripe: circuit open'],
                    ],
                ]),
                'This payment method is not available for your order',
                'from DE (Mollie: not configured; Stripe: circuit open) (HTTP 422)',
            ],
            'another session for the order still being created (409)' => [
                static fn () => \PayrelayTestState::queue_json(409, ['error' => [
                    'code' => 'earlier_request_in_flight',
                    'message' => 'An earlier request for order 1042 is still being made; try again in 5 s',
                ]]),
                'Your payment is already being prepared. Please wait a moment and try again.',
                'earlier_request_in_flight: An earlier request for order 1042 is still being made; try again in 5 s (HTTP 409)',
            ],
            'invalid request (400)' => [
                static fn () => \PayrelayTestState::queue_json(400, ['error' => [
                    'code' => 'invalid_request',
                    'message' => 'invalid session request',
                    'details' => ['"customer.country" must be a 2-letter code'],
                ]]),
                'some order details were not accepted',
                'invalid_request: invalid session request (HTTP 400) - "customer.country" must be a 2-letter code',
            ],
            'secret refused (401)' => [
                static fn () => \PayrelayTestState::queue_json(401, ['error' => ['code' => 'bad_signature', 'message' => 'check the shop secret']]),
                'We could not start the payment right now',
                'bad_signature: check the shop secret (HTTP 401)',
            ],
            'answer without checkout URL' => [
                static fn () => \PayrelayTestState::queue_json(201, ['session_id' => 'ps_1', 'provider' => 'stripe', 'checkout_url' => 'javascript:alert(1)']),
                'We could not start the payment right now',
                'bad_relay_answer',
            ],
        ];
    }

    /**
     * The block checkout: WooCommerce 8.9's Store API (tests/doubles/store-api.php) shows the shopper only the
     * message of an exception thrown from process_payment; notices are cleared.
     *
     * @dataProvider failures
     */
    public function test_block_checkout_failure_shows_the_shopper_message(callable $queue, string $shopper, string $reason): void
    {
        $order = $this->order();
        $gateway = $this->gateway();
        (new \Payrelay\Plugin('/p.php', '0.1.0'))->register_hooks();
        $queue();

        $answer = payrelay_store_api_checkout($gateway, $order, [['key' => 'payrelay_method', 'value' => 'card']]);

        $this->assertSame(400, $answer['status']);
        $this->assertSame('woocommerce_rest_checkout_process_payment_error', $answer['body']['code']);
        $this->assertStringContainsString($shopper, $answer['body']['message']);
        $this->assertStringNotContainsString('HTTP', $answer['body']['message']);
        $this->assert_noted_and_payable($order, $reason);
        $this->assertSame('card', json_decode($this->request_body_or_empty(), true)['method'] ?? 'card');
    }

    /**
     * The classic checkout and the order-pay page show notices next to a failure result, which carries `redirect`.
     *
     * @dataProvider failures
     */
    public function test_classic_checkout_and_order_pay_failure_show_the_same_message(callable $queue, string $shopper, string $reason): void
    {
        $order = $this->order();
        $queue();
        $classic = payrelay_classic_checkout($this->gateway(), $order, ['payrelay_method' => 'card']);
        $this->assertSame('failure', $classic['result']);
        $this->assertCount(1, $classic['messages']);
        $this->assertStringContainsString($shopper, $classic['messages'][0]);
        $this->assertStringNotContainsString('HTTP', $classic['messages'][0]);
        $this->assert_noted_and_payable($order, $reason);

        $order->notes = [];
        $queue();
        $pay = payrelay_order_pay($this->gateway(), $order, ['payrelay_method' => 'card']);
        $this->assertSame('failure', $pay['result']);
        $this->assertCount(1, $pay['messages']);
        $this->assertStringContainsString($shopper, $pay['messages'][0]);
    }

    /** @dataProvider failures */
    public function test_a_failure_result_always_carries_redirect(callable $queue): void
    {
        $this->order();
        $queue();
        $this->assertSame(['result' => 'failure', 'redirect' => ''], $this->gateway()->process_payment(1042));
    }

    public function test_block_checkout_success_redirects_to_the_provider(): void
    {
        $order = $this->order();
        $gateway = $this->gateway();
        (new \Payrelay\Plugin('/p.php', '0.1.0'))->register_hooks();
        \PayrelayTestState::queue_json(201, self::SESSION);

        $answer = payrelay_store_api_checkout($gateway, $order, [['key' => 'payrelay_method', 'value' => 'wallet']]);

        $this->assertSame(200, $answer['status']);
        $this->assertSame('success', $answer['body']['payment_result']['payment_status']);
        $this->assertSame(self::SESSION['checkout_url'], $answer['body']['payment_result']['redirect_url']);
        // paymentMethodData reaches process_payment through $_POST, as Legacy.php sets it.
        $this->assertSame('wallet', json_decode($this->last_request()['args']['body'], true)['method']);
        $this->assertSame([], $_POST, 'Legacy.php restores $_POST');
    }

    /**
     * The double is faithful to 8.9: a gateway that explains a failure only with a notice and returns no
     * `redirect` (what this plugin did before) leaves the shopper with nothing and PHP with a warning.
     */
    public function test_the_store_api_double_loses_notice_only_failures_like_woocommerce_8_9(): void
    {
        $order = $this->order();
        $legacy_style = new class extends \WC_Payment_Gateway {
            public $id = 'payrelay';

            public function process_payment($order_id)
            {
                wc_add_notice('We could not start the payment right now.', 'error');
                return ['result' => 'failure'];
            }
        };
        $warnings = [];
        set_error_handler(static function (int $level, string $message) use (&$warnings): bool {
            $warnings[] = $message;
            return true;
        }, E_WARNING);
        try {
            $answer = payrelay_store_api_checkout($legacy_style, $order, []);
        } finally {
            restore_error_handler();
        }
        $this->assertSame(['Undefined array key "redirect"'], $warnings);
        $this->assertSame(400, $answer['status']);
        $this->assertSame('failure', $answer['body']['payment_result']['payment_status']);
        $this->assertStringNotContainsString('could not start', json_encode($answer));
        $this->assertSame([], \PayrelayTestState::$notices, 'Legacy.php cleared the notice');
    }

    private function assert_noted_and_payable(\WC_Order $order, string $reason): void
    {
        // The shopper never sees the relay's internals; the merchant's note has them.
        $this->assertCount(1, $order->notes);
        $this->assertStringContainsString('the order is still payable', $order->notes[0]);
        $this->assertStringContainsString($reason, $order->notes[0]);
        $this->assertLessThanOrEqual(1, substr_count($order->notes[0], 'Mollie: not configured'), 'each reason once');
        $this->assertSame('pending', $order->get_status());
        $this->assertArrayNotHasKey('_payrelay_session_id', $order->saved_meta);
        $this->assertGreaterThan(0, $order->saves);
    }

    private function request_body_or_empty(): string
    {
        $requests = \PayrelayTestState::$http_requests;
        return $requests === [] ? '{}' : (string) ($requests[count($requests) - 1]['args']['body'] ?? '{}');
    }

    public function test_idempotency_key_is_stable_per_attempt(): void
    {
        $order = $this->order();
        $gateway = $this->gateway();
        $_POST['payrelay_method'] = 'card';

        \PayrelayTestState::queue_network_error('cURL error 28: timed out');
        $gateway->process_payment(1042);
        $first = $this->last_request()['args']['headers']['Idempotency-Key'];

        // A retry after a timeout must reach the session the relay may already have made.
        \PayrelayTestState::queue_json(201, self::SESSION);
        $gateway->process_payment(1042);
        $retry = $this->last_request()['args']['headers']['Idempotency-Key'];
        $this->assertSame($first, $retry);

        // The shopper comes back to pay again: a new attempt, a new session.
        \PayrelayTestState::queue_json(201, self::SESSION);
        $gateway->process_payment(1042);
        $next = $this->last_request()['args']['headers']['Idempotency-Key'];
        $this->assertNotSame($retry, $next);
        $this->assertStringStartsWith('payrelay-1042-2-', $next);
        $this->assertSame('3', $order->saved_meta['_payrelay_attempt']);
    }

    public function test_trying_again_after_an_earlier_request_in_flight_reaches_the_session_being_made(): void
    {
        $order = $this->order();
        $gateway = $this->gateway();
        $_POST['payrelay_method'] = 'card';

        \PayrelayTestState::queue_json(409, ['error' => ['code' => 'earlier_request_in_flight', 'message' => 'wait']]);
        $this->assertSame('failure', $gateway->process_payment(1042)['result']);
        $first = $this->last_request()['args']['headers']['Idempotency-Key'];
        $this->assertArrayNotHasKey('_payrelay_session_id', $order->saved_meta);

        // "Wait a moment and try again" asks for the same session, not a second one.
        \PayrelayTestState::queue_json(201, self::SESSION);
        $this->assertSame(self::SESSION['checkout_url'], $gateway->process_payment(1042)['redirect']);
        $this->assertSame($first, $this->last_request()['args']['headers']['Idempotency-Key']);
    }

    public function test_another_method_in_the_same_attempt_is_another_request(): void
    {
        $this->order();
        $gateway = $this->gateway();
        $_POST['payrelay_method'] = 'crypto';
        \PayrelayTestState::queue_json(422, ['error' => ['code' => 'no_provider_available', 'message' => 'none']]);
        $gateway->process_payment(1042);
        $crypto = $this->last_request()['args']['headers']['Idempotency-Key'];

        $_POST['payrelay_method'] = 'card';
        \PayrelayTestState::queue_json(201, self::SESSION);
        $gateway->process_payment(1042);
        $this->assertNotSame($crypto, $this->last_request()['args']['headers']['Idempotency-Key']);
    }

    /** @return array<string, array{0: string[], 1: string|null, 2: string}> */
    public static function method_choices(): array
    {
        return [
            'chosen and offered' => [['card', 'wallet'], 'wallet', 'wallet'],
            'not offered falls back to the first offered' => [['card', 'wallet'], 'crypto', 'card'],
            'nothing posted, all offered' => [['card', 'bank_transfer', 'wallet', 'crypto'], null, 'any'],
            'single method' => [['bank_transfer'], null, 'bank_transfer'],
        ];
    }

    /**
     * @dataProvider method_choices
     * @param string[] $offered
     */
    public function test_method_sent_to_the_relay(array $offered, ?string $posted, string $expected): void
    {
        $this->order();
        if ($posted !== null) {
            $_POST['payrelay_method'] = $posted;
        }
        \PayrelayTestState::queue_json(201, self::SESSION);
        $this->gateway($offered)->process_payment(1042);
        $this->assertSame($expected, json_decode($this->last_request()['args']['body'], true)['method']);
    }

    public function test_unknown_order(): void
    {
        $this->assertSame(['result' => 'failure', 'redirect' => ''], $this->gateway()->process_payment(999));
        $this->assertSame('error', \PayrelayTestState::$notices[0][0]);
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_secret_field_is_rendered_empty_and_kept_when_left_empty(): void
    {
        $gateway = $this->gateway();
        $html = $gateway->generate_payrelay_secret_html('shop_secret', $gateway->form_fields['shop_secret']);
        $this->assertStringNotContainsString(self::SECRET, $html);
        $this->assertStringContainsString('value=""', $html);
        $this->assertSame(self::SECRET, $gateway->validate_payrelay_secret_field('shop_secret', ''));
        $this->assertSame('prs_new_secret_value_0123456789', $gateway->validate_payrelay_secret_field('shop_secret', ' prs_new_secret_value_0123456789 '));
    }

    public function test_not_available_until_configured(): void
    {
        $this->assertTrue($this->gateway()->is_available());
        \PayrelayTestState::$options['woocommerce_payrelay_settings']['shop_secret'] = '';
        $gateway = new Gateway(
            new SessionStarter($this->client(), new Log(false)),
            new Diagnostics($this->client(), '/p.php', '0.1.0')
        );
        $this->assertFalse($gateway->is_available());
    }

    public function test_payment_fields_offer_each_method_escaped(): void
    {
        $html = $this->output_of(fn () => $this->gateway(['card', 'wallet'])->payment_fields());
        $this->assertStringContainsString('name="payrelay_method" value="card" checked', $html);
        $this->assertStringContainsString('value="wallet"', $html);
        $this->assertStringNotContainsString('crypto', $html);
    }
}
