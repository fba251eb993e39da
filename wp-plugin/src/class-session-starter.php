<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * process_payment's work: ask the relay for a hosted checkout session and send the shopper there. On failure the
 * order stays pending (payable), the merchant gets a note with the reason, and the shopper's message travels in a
 * PaymentStartException for the gateway to deliver the way its caller (classic or block checkout) shows errors.
 */
final class SessionStarter
{
    /**
     * The longest advised wait the shopper's checkout request sits out before asking once more; a longer one is
     * shown as a message at once, so the checkout never hangs for long (PHP holds a worker the whole time).
     */
    public const MAX_RETRY_WAIT = 3;

    /** @var callable(int): mixed */
    private $sleep;

    /**
     * @param (callable(int): mixed)|null $sleep waits that many seconds; injected so tests do not wait
     */
    public function __construct(private RelayClient $client, private Log $log, ?callable $sleep = null)
    {
        $this->sleep = $sleep ?? 'sleep';
    }

    /**
     * @return array{result: string, redirect: string} what WC_Payment_Gateway::process_payment returns
     * @throws PaymentStartException when no session could be started (after noting why on the order)
     */
    public function start(
        \WC_Order $order,
        string $method,
        string $return_url,
        string $cancel_url,
        string $locale
    ): array {
        $body = [
            'order_id' => (string) $order->get_id(),
            'order_key' => $order->get_order_key(),
            'amount' => Money::to_minor($order->get_total(), $order->get_currency()),
            'currency' => $order->get_currency(),
            'customer' => ['email' => $order->get_billing_email(), 'country' => $order->get_billing_country()],
            'method' => $method,
            'return_url' => $return_url,
            'cancel_url' => $cancel_url,
        ];
        if ($locale !== '') {
            $body['locale'] = $locale;
        }
        $attempt = max(1, (int) $order->get_meta(Contract::meta_key('attempt')));
        $key = self::idempotency_key($order->get_id(), $attempt, $body);
        $result = $this->client->create_session($body, $key);
        if (self::worth_one_retry($result)) {
            // Same key: the relay answers a repeat with the session it made, never a second one.
            $this->log->debug('session start: retrying once as the relay advised', [
                'order_id' => $order->get_id(),
                'reason' => $result->describe(),
                'wait_seconds' => $result->retry_after,
            ]);
            call_user_func($this->sleep, (int) $result->retry_after);
            $result = $this->client->create_session($body, $key);
        }
        if ($result->ok) {
            $result = self::check_session_answer($result);
        }
        if (!$result->ok) {
            $this->refuse($order, $result);
        }

        $session = $result->data;
        $order->update_meta_data(Contract::meta_key('session_id'), (string) $session['session_id']);
        $order->update_meta_data(Contract::meta_key('provider'), (string) $session['provider']);
        $order->update_meta_data(Contract::meta_key('status_token'), (string) ($session['status_token'] ?? ''));
        $order->update_meta_data(Contract::meta_key('expires_at'), (string) ($session['expires_at'] ?? ''));
        // The next attempt (the shopper comes back to pay again) gets a new key, so a new session.
        $order->update_meta_data(Contract::meta_key('attempt'), (string) ($attempt + 1));
        $order->add_order_note(sprintf(
            /* translators: 1: provider name, 2: relay session id, 3: expiry time */
            __('Payment session created at %1$s, session %2$s, expires %3$s.', 'payrelay'),
            ProviderNames::provider((string) $session['provider']),
            (string) $session['session_id'],
            Format::time((string) ($session['expires_at'] ?? ''))
        ));
        $order->save();
        $this->log->debug('session created', [
            'order_id' => $order->get_id(),
            'session_id' => $session['session_id'],
            'provider' => $session['provider'],
            'attempt' => $attempt,
        ]);
        return ['result' => 'success', 'redirect' => (string) $session['checkout_url']];
    }

    /**
     * Stable for one attempt with the same request, so a double click or a retry after a timeout gets the session
     * the relay already made; a different method or amount is a different request and must not reuse it.
     *
     * @param array<string, mixed> $body
     */
    public static function idempotency_key(int $order_id, int $attempt, array $body): string
    {
        $fingerprint = substr(hash('sha256', $body['method'] . '|' . $body['amount'] . '|' . $body['currency']), 0, 12);
        return sprintf('payrelay-%d-%d-%s', $order_id, $attempt, $fingerprint);
    }

    /**
     * Only a "busy, ask again shortly" answer with a short Retry-After: another request for the order still in
     * flight, a rate limit or an outage the relay (or a proxy before it) expects to end within seconds.
     */
    private static function worth_one_retry(RelayResult $result): bool
    {
        $busy = $result->error_code === 'earlier_request_in_flight'
            || $result->http_status === 429 || $result->http_status === 503;
        return !$result->ok && $busy && $result->retry_after !== null && $result->retry_after <= self::MAX_RETRY_WAIT;
    }

    /** A 2xx without what we need is as bad as an error: never redirect a shopper to an unchecked URL. */
    private static function check_session_answer(RelayResult $result): RelayResult
    {
        $data = $result->data;
        $url = isset($data['checkout_url']) && is_string($data['checkout_url']) ? $data['checkout_url'] : '';
        $scheme = strtolower((string) parse_url($url, PHP_URL_SCHEME));
        if (
            empty($data['session_id']) || empty($data['provider'])
            || !in_array($scheme, ['http', 'https'], true) || filter_var($url, FILTER_VALIDATE_URL) === false
        ) {
            return RelayResult::failure(
                $result->http_status,
                'bad_relay_answer',
                'the relay answered without a session id, provider or valid checkout URL'
            );
        }
        return $result;
    }

    private function refuse(\WC_Order $order, RelayResult $result): never
    {
        $order->add_order_note(sprintf(
            /* translators: %s: error code, message and details from the relay */
            __('Payrelay could not start the payment; the order is still payable. Reason: %s', 'payrelay'),
            $result->describe()
        ));
        $order->save();
        $this->log->error('session not created', ['order_id' => $order->get_id(), 'reason' => $result->describe()]);
        throw new PaymentStartException(ShopperMessages::for_start_error($result), $result->describe());
    }
}
