<?php

namespace Payrelay\Tests;

use Payrelay\Admin\Diagnostics;
use Payrelay\Admin\RelayHealth;
use Payrelay\BlocksIntegration;
use Payrelay\CheckoutMethods;
use Payrelay\Gateway;
use Payrelay\Log;
use Payrelay\SessionStarter;

/**
 * The checkout offers only the methods the relay can route for this cart (GET /v1/methods), asked once per
 * currency, country and amount band for CheckoutMethods::CACHE_SECONDS; none routable, or a relay that does not
 * answer, and the gateway is not offered.
 */
final class CheckoutMethodsTest extends TestCase
{
    private int $now = self::NOW;

    /** @param string[] $routable */
    private static function answer(array $routable): array
    {
        $methods = [];
        foreach (['card', 'bank_transfer', 'wallet', 'crypto'] as $method) {
            $on = in_array($method, $routable, true);
            $methods[] = [
                'method' => $method,
                'routable' => $on,
                'providers' => $on ? ['stripe'] : [],
                'skipped' => $on ? [] : [['provider' => 'paypal', 'reason' => 'not configured']],
            ];
        }
        return ['currency' => 'EUR', 'country' => 'NL', 'amount' => 1999, 'methods' => $methods];
    }

    /** @param string[] $offered */
    private function methods(array $offered = ['card', 'bank_transfer', 'wallet', 'crypto']): CheckoutMethods
    {
        return new CheckoutMethods($this->client(), $offered, null, fn (): int => $this->now);
    }

    /** @param string[] $offered */
    private function gateway(array $offered = ['card', 'bank_transfer', 'wallet', 'crypto']): Gateway
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = [
            'enabled' => 'yes',
            'relay_url' => 'https://relay.test',
            'shop_secret' => self::SECRET,
            'title' => 'Pay online',
            'description' => '',
            'methods' => $offered,
            'debug' => 'no',
        ];
        $client = $this->client();
        return new Gateway(
            new SessionStarter($client, new Log(false)),
            new Diagnostics($client, '/plugins/payrelay/payrelay.php', '0.1.0'),
            null,
            null,
            null,
            $this->methods($offered)
        );
    }

    /** @return string[] the radio buttons' values, in order */
    private static function radios(string $html): array
    {
        preg_match_all('/<input type="radio" name="payrelay_method" value="([a-z_]+)"/', $html, $m);
        return $m[1];
    }

    public function test_asks_the_relay_with_the_carts_currency_country_and_amount_and_offers_the_routable_ones(): void
    {
        \PayrelayTestState::queue_json(200, self::answer(['card', 'bank_transfer']));

        $this->assertSame(['card', 'bank_transfer'], $this->methods()->for_cart('EUR', 'NL', 1999));

        $request = $this->last_request();
        $this->assertSame('GET', $request['method']);
        $this->assertSame('https://relay.test/v1/methods?currency=EUR&country=NL&amount=1999', $request['url']);
        $this->assertArrayHasKey('X-Payrelay-Signature', $request['args']['headers']);
    }

    public function test_only_methods_the_merchant_offers_even_when_the_relay_routes_more(): void
    {
        \PayrelayTestState::queue_json(200, self::answer(['card', 'wallet', 'crypto']));
        $this->assertSame(['wallet', 'card'], $this->methods(['wallet', 'card', 'bank_transfer'])->for_cart('EUR', 'NL', 1999));
    }

    public function test_a_cache_hit_for_the_same_currency_country_and_band_asks_the_relay_once(): void
    {
        \PayrelayTestState::queue_json(200, self::answer(['card']));
        $methods = $this->methods();
        $this->assertSame(['card'], $methods->for_cart('EUR', 'NL', 1999));
        // 15.99 is in the same band as 19.99 (10 … 19.99): a coupon applied, no new question.
        $this->now += CheckoutMethods::CACHE_SECONDS - 1;
        $this->assertSame(['card'], $methods->for_cart('EUR', 'NL', 1599));
        $this->assertCount(1, \PayrelayTestState::$http_requests);
        $this->assertArrayHasKey(CheckoutMethods::cache_key('EUR', 'NL', 1999), \PayrelayTestState::$transients);
    }

    public function test_a_miss_for_another_country_another_band_or_after_the_ttl(): void
    {
        $methods = $this->methods();
        \PayrelayTestState::queue_json(200, self::answer(['card']));
        $methods->for_cart('EUR', 'NL', 1999);

        \PayrelayTestState::queue_json(200, self::answer(['card', 'bank_transfer']));
        $this->assertSame(['card', 'bank_transfer'], $methods->for_cart('EUR', 'BE', 1999));
        $this->assertStringContainsString('country=BE', $this->last_request()['url']);

        \PayrelayTestState::queue_json(200, self::answer(['wallet']));
        $this->assertSame(['wallet'], $methods->for_cart('EUR', 'NL', 250_000));
        $this->assertStringContainsString('amount=250000', $this->last_request()['url']);

        $this->now += CheckoutMethods::CACHE_SECONDS;
        \PayrelayTestState::queue_json(200, self::answer(['crypto']));
        $this->assertSame(['crypto'], $methods->for_cart('EUR', 'NL', 1999), 'a cached answer is not used after its TTL');
        $this->assertCount(4, \PayrelayTestState::$http_requests);
    }

    public function test_amount_bands_follow_one_two_five_in_major_units(): void
    {
        $this->assertSame('any', CheckoutMethods::amount_band(null, 'EUR'));
        $this->assertSame('0', CheckoutMethods::amount_band(99, 'EUR'));
        $this->assertSame('1', CheckoutMethods::amount_band(199, 'EUR'));
        $this->assertSame('2', CheckoutMethods::amount_band(499, 'EUR'));
        $this->assertSame('10', CheckoutMethods::amount_band(1999, 'EUR'));
        $this->assertSame('20', CheckoutMethods::amount_band(2000, 'EUR'));
        $this->assertSame('50', CheckoutMethods::amount_band(9999, 'EUR'));
        $this->assertSame('1000', CheckoutMethods::amount_band(1500, 'JPY'), 'yen have no minor unit');
        $this->assertNotSame(CheckoutMethods::cache_key('EUR', 'NL', 1999), CheckoutMethods::cache_key('USD', 'NL', 1999));
    }

    public function test_an_empty_list_offers_nothing_and_hides_the_gateway(): void
    {
        \PayrelayTestState::shopper('19.99', 'NL');
        \PayrelayTestState::queue_json(200, self::answer([]));
        $gateway = $this->gateway();

        $this->assertFalse($gateway->is_available());
        $this->assertSame([], $gateway->checkout_methods());
        $html = $this->output_of(fn () => $gateway->payment_fields());
        $this->assertSame([], self::radios($html));
        $this->assertStringContainsString('Online payment is not available for this order right now.', $html);
        $this->assertCount(1, \PayrelayTestState::$http_requests, 'the empty answer is cached too');
    }

    public function test_a_relay_that_does_not_answer_hides_the_gateway_and_is_not_asked_again_at_once(): void
    {
        \PayrelayTestState::shopper('19.99', 'NL');
        \PayrelayTestState::queue_network_error('cURL error 28: Operation timed out');
        $gateway = $this->gateway();

        $this->assertFalse($gateway->is_available());
        $this->assertSame([], $gateway->checkout_methods());
        $this->assertCount(1, \PayrelayTestState::$http_requests, 'a checkout refresh does not wait for the timeout again');

        $this->now += CheckoutMethods::CACHE_SECONDS;
        \PayrelayTestState::queue_json(200, self::answer(['card', 'crypto']));
        $this->assertTrue($gateway->is_available(), 'back once the relay answers');
    }

    public function test_a_relay_answering_5xx_hides_the_gateway(): void
    {
        \PayrelayTestState::shopper('19.99', 'NL');
        \PayrelayTestState::queue_json(503, ['error' => ['code' => 'unavailable', 'message' => 'busy']]);
        $this->assertFalse($this->gateway()->is_available());
    }

    public function test_a_relay_without_the_methods_endpoint_keeps_the_merchants_choice(): void
    {
        \PayrelayTestState::queue_json(404, ['error' => ['code' => 'not_found', 'message' => 'no such route']]);
        $this->assertSame(['card', 'wallet'], $this->methods(['card', 'wallet'])->for_cart('EUR', 'NL', 1999));
    }

    public function test_the_relay_health_outage_hides_it_without_asking(): void
    {
        \PayrelayTestState::$options[RelayHealth::OPTION] = [
            'checked_at' => $this->now,
            'failing_since' => $this->now - RelayHealth::OUTAGE_SECONDS,
        ];
        $health = new RelayHealth($this->client(), fn (): int => $this->now);
        $methods = new CheckoutMethods($this->client(), ['card'], $health, fn (): int => $this->now);
        $this->assertSame([], $methods->for_cart('EUR', 'NL', 1999));
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_classic_checkout_radios_are_exactly_the_routable_methods_and_the_choice_is_checked_against_them(): void
    {
        \PayrelayTestState::shopper('19.99', 'nl');
        \PayrelayTestState::queue_json(200, self::answer(['card', 'crypto']));
        $gateway = $this->gateway();

        $this->assertTrue($gateway->is_available());
        $html = $this->output_of(fn () => $gateway->payment_fields());
        $this->assertSame(['card', 'crypto'], self::radios($html));
        $this->assertStringContainsString('country=NL&amount=1999', \PayrelayTestState::$http_requests[0]['url']);

        // A posted method the relay cannot route is not sent to it: the first routable one is.
        $this->order();
        $_POST['payrelay_method'] = 'wallet';
        \PayrelayTestState::queue_json(201, [
            'session_id' => 'ps_1', 'provider' => 'stripe', 'checkout_url' => 'https://checkout.stripe.test/c/1',
            'expires_at' => '2026-01-01T01:00:00Z', 'status' => 'created', 'status_token' => 'st_1',
        ]);
        $gateway->process_payment(1042);
        $this->assertSame('card', json_decode($this->last_request()['args']['body'], true)['method']);
        $this->assertCount(2, \PayrelayTestState::$http_requests, 'the methods answer came from the cache');
    }

    public function test_one_routable_method_is_sent_without_a_choice(): void
    {
        \PayrelayTestState::shopper('19.99', '', 'BE');
        \PayrelayTestState::queue_json(200, self::answer(['bank_transfer']));
        $html = $this->output_of(fn () => $this->gateway()->payment_fields());
        $this->assertSame([], self::radios($html));
        $this->assertStringContainsString('<input type="hidden" name="payrelay_method" value="bank_transfer" />', $html);
        $this->assertStringContainsString('country=BE', $this->last_request()['url'], 'the shipping country when billing is empty');
    }

    public function test_the_order_pay_page_asks_for_the_orders_currency_country_and_total(): void
    {
        $this->order(1042);
        \PayrelayTestState::$pay_page = true;
        \PayrelayTestState::$query_vars['order-pay'] = '1042';
        \PayrelayTestState::queue_json(200, self::answer(['card', 'wallet']));
        $html = $this->output_of(fn () => $this->gateway()->payment_fields());
        $this->assertSame(['card', 'wallet'], self::radios($html));
        $this->assertSame('https://relay.test/v1/methods?currency=EUR&country=DE&amount=1999', $this->last_request()['url']);
    }

    public function test_wp_admin_lists_the_gateway_without_asking_the_relay(): void
    {
        \PayrelayTestState::$is_admin = true;
        \PayrelayTestState::shopper('19.99', 'NL');
        $gateway = $this->gateway(['card', 'wallet']);
        $this->assertTrue($gateway->is_available());
        $this->assertSame(['card', 'wallet'], $gateway->checkout_methods());
        $this->assertSame([], \PayrelayTestState::$http_requests);
    }

    public function test_block_checkout_data_lists_only_the_routable_methods(): void
    {
        \PayrelayTestState::$options['woocommerce_payrelay_settings'] = [
            'enabled' => 'yes', 'relay_url' => 'https://relay.test', 'shop_secret' => self::SECRET,
            'methods' => ['card', 'bank_transfer', 'wallet', 'crypto'],
        ];
        \PayrelayTestState::shopper('19.99', 'NL');
        \PayrelayTestState::queue_json(200, self::answer(['bank_transfer', 'wallet']));
        $blocks = new BlocksIntegration('/plugins/payrelay/payrelay.php', '0.1.0', $this->methods());
        $blocks->initialize();
        $data = $blocks->get_payment_method_data();
        $this->assertSame(['bank_transfer', 'wallet'], array_column($data['methods'], 'value'));

        \PayrelayTestState::queue_json(200, self::answer([]));
        \PayrelayTestState::shopper('19.99', 'US');
        $this->assertSame([], (new BlocksIntegration('/p/payrelay.php', '0.1.0', $this->methods()))->get_payment_method_data()['methods']);
    }
}
