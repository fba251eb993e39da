<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * Signed server-to-server calls to the relay's /v1 API. The shop secret stays here: nothing it produces is meant for
 * the browser except the relay's answers, which callers pick from.
 */
final class RelayClient
{
    /** Session creation may fall back across providers inside the relay, so it gets more time than a lookup. */
    private const CREATE_TIMEOUT = 20;
    private const LOOKUP_TIMEOUT = 8;
    /** The settings page waits on it: a relay that is down must not hold the page for long. */
    private const SETTINGS_TIMEOUT = 3;

    /** @var callable(): int */
    private $now;

    /**
     * @param (callable(): int)|null $now unix seconds; injected so tests can pin the signature's timestamp
     * @param string $shop_id on a relay serving many shops, this shop's id there; '' sends no header
     */
    public function __construct(
        private string $base_url,
        private string $secret,
        private Log $log,
        ?callable $now = null,
        private string $shop_id = '',
    ) {
        $this->base_url = rtrim($base_url, '/');
        $this->now = $now ?? 'time';
    }

    public static function from_settings(Settings $settings, Log $log): self
    {
        return new self($settings->relay_url, $settings->shop_secret, $log, null, $settings->shop_id);
    }

    /**
     * @param array<string, mixed> $body
     */
    public function create_session(array $body, string $idempotency_key): RelayResult
    {
        // Signed with the body: the relay refuses a copy of this site (staging) that kept the live settings.
        $body['site_url'] = home_url();
        return $this->request('POST', '/v1/sessions', $body, self::CREATE_TIMEOUT, $idempotency_key);
    }

    /**
     * A relay-signed payment link for an order (it starts a fresh checkout whenever the customer opens it).
     *
     * @param array<string, mixed> $body
     */
    public function create_payment_link(int $order_id, array $body): RelayResult
    {
        $body['site_url'] = home_url();
        return $this->request('POST', '/v1/orders/' . $order_id . '/payment-links', $body, self::LOOKUP_TIMEOUT);
    }

    public function revoke_payment_link(string $link_id): RelayResult
    {
        $path = '/v1/payment-links/' . rawurlencode($link_id) . '/revoke';
        return $this->request('POST', $path, [], self::LOOKUP_TIMEOUT);
    }

    /** Does the relay serve this site? Its answer carries the sentence the admin reads when it does not. */
    public function site_check(): RelayResult
    {
        return $this->request('POST', '/v1/site-check', ['site_url' => home_url()], self::LOOKUP_TIMEOUT);
    }

    public function session_status(string $session_id, string $token): RelayResult
    {
        $path = '/v1/sessions/' . rawurlencode($session_id) . '/status?token=' . rawurlencode($token);
        return $this->request('GET', $path, null, self::LOOKUP_TIMEOUT);
    }

    public function order_timeline(int $order_id): RelayResult
    {
        return $this->request('GET', '/v1/orders/' . $order_id . '/timeline', null, self::LOOKUP_TIMEOUT);
    }

    public function check_order(int $order_id): RelayResult
    {
        return $this->request('POST', '/v1/orders/' . $order_id . '/check', [], self::CREATE_TIMEOUT);
    }

    /**
     * POST /v1/orders/{id}/refunds: refund at the provider; refund_id (WooCommerce's) is the idempotency key.
     *
     * @param array{refund_id: string, amount: string, currency: string, reason: string} $refund
     */
    public function refund_order(int $order_id, array $refund): RelayResult
    {
        return $this->request('POST', '/v1/orders/' . $order_id . '/refunds', $refund, self::CREATE_TIMEOUT);
    }

    /** POST /v1/providers/connect: the relay registers its webhooks (Stripe, PayPal, Adyen) and reports what it found. */
    public function connect_providers(bool $rotate = false): RelayResult
    {
        return $this->request('POST', '/v1/providers/connect', $rotate ? ['rotate' => true] : [], self::CREATE_TIMEOUT);
    }

    public function ping(): RelayResult
    {
        return $this->request('POST', '/v1/ping', [], self::LOOKUP_TIMEOUT);
    }

    /**
     * GET /v1/methods: which methods the relay can route right now, for the currency (settings screen) or for a cart
     * (checkout: with the customer's country and the amount in minor units, when known).
     */
    public function routable_methods(string $currency, string $country = '', ?int $amount_minor = null): RelayResult
    {
        $query = 'currency=' . rawurlencode($currency);
        if ($country !== '') {
            $query .= '&country=' . rawurlencode($country);
        }
        if ($amount_minor !== null && $amount_minor > 0) {
            $query .= '&amount=' . $amount_minor;
        }
        return $this->request('GET', '/v1/methods?' . $query, null, self::SETTINGS_TIMEOUT);
    }

    public function shop_check(): RelayResult
    {
        return $this->request('POST', '/v1/diagnostics/shop-check', [], self::CREATE_TIMEOUT);
    }

    public function diagnostics(): RelayResult
    {
        return $this->request('GET', '/v1/diagnostics', null, self::LOOKUP_TIMEOUT);
    }

    /** A merchant dismissed an alert on the diagnostics screen. */
    public function resolve_alert(int $alert_id): RelayResult
    {
        return $this->request('POST', '/v1/alerts/' . $alert_id . '/resolve', [], self::LOOKUP_TIMEOUT);
    }

    public function test_event(int $order_id): RelayResult
    {
        return $this->request('POST', '/v1/diagnostics/test-event', ['order_id' => (string) $order_id], 30);
    }

    /**
     * @param array<string, mixed>|null $body null for GET; [] is sent as "{}"
     */
    private function request(
        string $method,
        string $path,
        ?array $body,
        int $timeout,
        string $idempotency_key = ''
    ): RelayResult {
        if ($this->base_url === '' || $this->secret === '') {
            return RelayResult::failure(0, 'not_configured', 'the relay URL or shop secret is not set in the settings');
        }
        $raw = $body === null ? '' : (string) wp_json_encode($body === [] ? new \stdClass() : $body);
        // The relay verifies the path as it appears on the request line, including any prefix in the relay URL.
        $signed_path = (string) parse_url($this->base_url, PHP_URL_PATH) . $path;
        $timestamp = (int) call_user_func($this->now);
        $headers = [
            'Accept' => 'application/json',
            Contract::header('timestamp') => (string) $timestamp,
            Contract::header('signature') => RelaySigner::sign($this->secret, $timestamp, $method, $signed_path, $raw),
        ];
        // Names which shop's relay answers (and whose secret checks the signature); not signed: another shop's
        // name with this shop's signature is refused anyway.
        if ($this->shop_id !== '') {
            $headers[Contract::header('shop')] = $this->shop_id;
        }
        if ($raw !== '') {
            $headers['Content-Type'] = 'application/json';
        }
        if ($idempotency_key !== '') {
            $headers[Contract::header('idempotency_key')] = $idempotency_key;
        }
        $args = ['method' => $method, 'headers' => $headers, 'timeout' => $timeout, 'redirection' => 0];
        $url = $this->base_url . $path;
        $started = microtime(true);
        if ($method === 'GET') {
            $response = wp_remote_get($url, $args);
        } else {
            $response = wp_remote_post($url, $args + ['body' => $raw]);
        }
        $result = $this->interpret($response);
        $this->log->debug(sprintf(
            'relay %s %s -> %s in %d ms',
            $method,
            $signed_path,
            $result->ok ? (string) $result->http_status : $result->describe(),
            (int) round((microtime(true) - $started) * 1000)
        ));
        return $result;
    }

    /**
     * @param mixed $response what wp_remote_* returned
     */
    private function interpret($response): RelayResult
    {
        if (is_wp_error($response)) {
            return RelayResult::failure(0, 'relay_unreachable', $response->get_error_message());
        }
        $status = (int) wp_remote_retrieve_response_code($response);
        $data = json_decode((string) wp_remote_retrieve_body($response), true);
        if ($status >= 200 && $status < 300) {
            return is_array($data)
                ? RelayResult::success($status, $data)
                : RelayResult::failure($status, 'bad_relay_answer', 'the relay answered without a JSON object');
        }
        $error = is_array($data) && isset($data['error']) && is_array($data['error']) ? $data['error'] : [];
        $details = isset($error['details']) && is_array($error['details'])
            ? array_map('strval', array_filter($error['details'], 'is_scalar'))
            : [];
        return RelayResult::failure(
            $status,
            isset($error['code']) && is_string($error['code']) ? $error['code'] : 'http_' . $status,
            isset($error['message']) && is_string($error['message'])
                ? $error['message']
                : sprintf('the relay answered HTTP %d', $status),
            array_values($details),
            RetryAfter::seconds(wp_remote_retrieve_header($response, 'retry-after'), (int) call_user_func($this->now))
        );
    }
}
