<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * "Send payment link" on the order screen, also for orders a merchant creates by hand for a phone or e-mail sale.
 * The relay signs the link (it starts a fresh hosted checkout when opened, so it never expires with a provider's
 * session); the link goes out in WooCommerce's own customer invoice e-mail, and can be revoked.
 */
final class PaymentLinks
{
    public const SEND = 'payrelay_send_payment_link';
    public const REVOKE = 'payrelay_revoke_payment_link';
    public const META_URL = '_payrelay_payment_link_url';
    public const META_ID = '_payrelay_payment_link_id';
    public const META_EXPIRES = '_payrelay_payment_link_expires';
    private const DEFAULT_DAYS = 7;
    private const MAX_DAYS = 90;

    public function __construct(private RelayClient $client, private Log $log)
    {
    }

    /**
     * The merchant's setting, added to the gateway's form (woocommerce_settings_api_form_fields_payrelay).
     *
     * @param mixed $fields
     * @return array<string, mixed>
     */
    public static function add_setting($fields): array
    {
        $fields = is_array($fields) ? $fields : [];
        $fields['payment_link_days'] = [
            'title' => __('Payment link lifetime (days)', 'payrelay'),
            'type' => 'number',
            'default' => (string) self::DEFAULT_DAYS,
            'description' => __(
                'How long a payment link sent from the order screen can be used (1 to 90 days).',
                'payrelay'
            ),
            'custom_attributes' => ['min' => '1', 'max' => (string) self::MAX_DAYS],
        ];
        return $fields;
    }

    public static function lifetime_days(): int
    {
        $settings = get_option('woocommerce_' . Contract::GATEWAY_ID . '_settings', []);
        $days = is_array($settings) && isset($settings['payment_link_days']) ? (int) $settings['payment_link_days'] : 0;
        return $days >= 1 ? min($days, self::MAX_DAYS) : self::DEFAULT_DAYS;
    }

    /**
     * woocommerce_order_actions: unpaid orders of this gateway, or with no gateway yet (made by hand).
     *
     * @param mixed $actions
     * @param mixed $order
     * @return array<mixed>
     */
    public function add_order_actions($actions, $order = null): array
    {
        $actions = is_array($actions) ? $actions : [];
        if (!$order instanceof \WC_Order || $order->is_paid()) {
            return $actions;
        }
        if (!in_array($order->get_payment_method(), ['', Contract::GATEWAY_ID], true)) {
            return $actions;
        }
        $actions[self::SEND] = __('Send payment link', 'payrelay');
        if ((string) $order->get_meta(self::META_ID) !== '') {
            $actions[self::REVOKE] = __('Revoke payment link', 'payrelay');
        }
        return $actions;
    }

    /**
     * woocommerce_order_action_payrelay_send_payment_link: ask the relay for a link, then send the invoice e-mail.
     *
     * @param mixed $order
     */
    public function send($order): bool
    {
        if (!$order instanceof \WC_Order || !current_user_can('edit_shop_orders')) {
            return false;
        }
        $days = self::lifetime_days();
        $result = $this->client->create_payment_link($order->get_id(), [
            'order_key' => $order->get_order_key(),
            'amount' => Money::to_minor($order->get_total(), $order->get_currency()),
            'currency' => $order->get_currency(),
            'customer' => ['email' => $order->get_billing_email(), 'country' => $order->get_billing_country()],
            'method' => 'any',
            'return_url' => $order->get_checkout_order_received_url(),
            'cancel_url' => $order->get_checkout_payment_url(),
            'lifetime_days' => $days,
        ]);
        $url = $result->ok && isset($result->data['url']) && is_string($result->data['url'])
            ? $result->data['url']
            : '';
        if (!$result->ok || filter_var($url, FILTER_VALIDATE_URL) === false) {
            $order->add_order_note(sprintf(
                /* translators: %s: error code and message from the relay */
                __('Payrelay could not make a payment link; nothing was sent. Reason: %s', 'payrelay'),
                $result->ok ? 'bad_relay_answer' : $result->describe()
            ));
            $order->save();
            $this->log->error('payment link not created', ['order_id' => $order->get_id()]);
            return false;
        }
        $order->update_meta_data(self::META_URL, $url);
        $order->update_meta_data(self::META_ID, (string) ($result->data['link_id'] ?? ''));
        $order->update_meta_data(self::META_EXPIRES, (string) ($result->data['expires_at'] ?? ''));
        $order->add_order_note(sprintf(
            /* translators: 1: number of days, 2: expiry time */
            __('Payment link sent in the invoice e-mail, valid for %1$d days (until %2$s).', 'payrelay'),
            $days,
            Format::time((string) ($result->data['expires_at'] ?? ''))
        ));
        $order->save();
        // WooCommerce's own customer invoice e-mail; append_to_email() adds the link to it.
        WC()->mailer()->customer_invoice($order);
        return true;
    }

    /**
     * woocommerce_order_action_payrelay_revoke_payment_link
     *
     * @param mixed $order
     */
    public function revoke($order): bool
    {
        if (!$order instanceof \WC_Order || !current_user_can('edit_shop_orders')) {
            return false;
        }
        $link_id = (string) $order->get_meta(self::META_ID);
        if ($link_id === '') {
            return false;
        }
        $result = $this->client->revoke_payment_link($link_id);
        if (!$result->ok) {
            $order->add_order_note(sprintf(
                /* translators: %s: error code and message from the relay */
                __('Payrelay could not revoke the payment link; it still works. Reason: %s', 'payrelay'),
                $result->describe()
            ));
            $order->save();
            return false;
        }
        foreach ([self::META_URL, self::META_ID, self::META_EXPIRES] as $key) {
            $order->update_meta_data($key, '');
        }
        $order->add_order_note(__('Payment link revoked; opening it now tells the customer so.', 'payrelay'));
        $order->save();
        return true;
    }

    /**
     * woocommerce_email_before_order_table: the link in the customer invoice e-mail, above the order table.
     *
     * @param mixed $order
     * @param mixed $sent_to_admin
     * @param mixed $plain_text
     * @param mixed $email
     */
    public function append_to_email($order, $sent_to_admin = false, $plain_text = false, $email = null): void
    {
        $is_invoice = is_object($email) && ($email->id ?? '') === 'customer_invoice';
        if (!$order instanceof \WC_Order || $sent_to_admin || !$is_invoice) {
            return;
        }
        $url = (string) $order->get_meta(self::META_URL);
        if ($url === '' || $order->is_paid()) {
            return;
        }
        $until = Format::time((string) $order->get_meta(self::META_EXPIRES));
        if ($plain_text) {
            echo esc_html(sprintf(
                /* translators: 1: payment link, 2: expiry time */
                __('Pay for this order securely: %1$s (valid until %2$s)', 'payrelay'),
                $url,
                $until
            )) . "\n\n";
            return;
        }
        echo '<p><a href="' . esc_url($url) . '">' . esc_html__('Pay for this order securely', 'payrelay') . '</a> '
            . esc_html(sprintf(
                /* translators: %s: expiry time */
                __('(valid until %s)', 'payrelay'),
                $until
            )) . '</p>';
    }
}
