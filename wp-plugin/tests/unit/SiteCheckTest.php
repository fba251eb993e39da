<?php

namespace Payrelay\Tests;

use Payrelay\Admin\SiteCheck;

final class SiteCheckTest extends TestCase
{
    public function test_session_requests_carry_this_sites_address_in_the_signed_body(): void
    {
        \PayrelayTestState::$options['home'] = 'https://staging.shop.example';
        \PayrelayTestState::queue_json(201, ['session_id' => 'ps_1']);
        $this->client()->create_session(['order_id' => '1042'], 'k');
        $this->assertSame(
            '{"order_id":"1042","site_url":"https:\/\/staging.shop.example"}',
            $this->last_request()['args']['body']
        );
    }

    public function test_a_copy_of_the_shop_gets_the_relays_sentence_as_a_notice(): void
    {
        \PayrelayTestState::$options['home'] = 'https://staging.shop.example';
        $_GET = ['page' => 'wc-settings', 'section' => 'payrelay'];
        $message = 'this relay serves https://shop.example; this site is https://staging.shop.example';
        \PayrelayTestState::queue_json(200, ['ok' => false, 'code' => 'site_mismatch', 'message' => $message]);

        $html = $this->output_of(fn () => (new SiteCheck($this->client()))->render_notice());

        $this->assertStringContainsString('notice-error', $html);
        $this->assertStringContainsString($message, $html);
        $request = $this->last_request();
        $this->assertSame('https://relay.test/v1/site-check', $request['url']);
        $this->assertSame('{"site_url":"https:\/\/staging.shop.example"}', $request['args']['body']);
        // Cached: the next page load does not ask the relay again.
        (new SiteCheck($this->client()))->notice_html();
        $this->assertCount(1, \PayrelayTestState::$http_requests);
        $_GET = [];
    }

    public function test_the_live_shop_sees_no_notice(): void
    {
        \PayrelayTestState::queue_json(200, ['ok' => true, 'served_url' => 'https://shop.test']);
        $this->assertSame('', (new SiteCheck($this->client()))->notice_html());
    }

    public function test_an_unreachable_relay_shows_nothing_here_and_is_asked_again(): void
    {
        \PayrelayTestState::queue_network_error();
        \PayrelayTestState::queue_json(200, ['ok' => false, 'message' => 'this relay serves https://shop.example; this site is https://shop.test']);
        $check = new SiteCheck($this->client());
        $this->assertSame('', $check->notice_html());
        $this->assertStringContainsString('this site is https://shop.test', $check->notice_html());
    }

    public function test_other_admin_screens_do_not_call_the_relay(): void
    {
        $_GET = ['page' => 'wc-orders'];
        $html = $this->output_of(fn () => (new SiteCheck($this->client()))->render_notice());
        $this->assertSame('', $html);
        $this->assertSame([], \PayrelayTestState::$http_requests);
        $_GET = [];
    }
}
