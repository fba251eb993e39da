<?php

namespace Payrelay;

use Payrelay\Admin\Diagnostics;
use Payrelay\Admin\RelayHealth;
use Payrelay\Admin\SettingsStatus;

defined('ABSPATH') || exit;

/**
 * The WooCommerce gateway: settings and the checkout entry points only. The work lives in SessionStarter (payment),
 * ReturnPage, ProviderCheck and the admin classes, so this class stays small.
 */
class Gateway extends \WC_Payment_Gateway
{
    public function __construct(
        private SessionStarter $starter,
        private Diagnostics $diagnostics,
        private ?RelayHealth $health = null,
        private ?SettingsStatus $status = null,
        private ?Refunder $refunder = null,
        private ?CheckoutMethods $methods = null
    ) {
        $this->id = Contract::GATEWAY_ID;
        $this->method_title = __('Payrelay', 'payrelay');
        $this->method_description = __(
            'Sends shoppers to a payment provider\'s hosted checkout through your Payrelay relay.',
            'payrelay'
        );
        $this->has_fields = true;
        $this->supports = ['products', 'refunds'];
        $this->init_form_fields();
        $this->init_settings();
        $this->title = (string) $this->get_option('title');
        $this->description = (string) $this->get_option('description');
        add_action('woocommerce_update_options_payment_gateways_' . $this->id, [$this, 'process_admin_options']);
    }

    public function init_form_fields(): void
    {
        $methods = [];
        foreach (Settings::METHODS as $method) {
            $methods[$method] = Settings::method_label($method);
        }
        $this->form_fields = [
            'enabled' => [
                'title' => __('Enable/Disable', 'payrelay'),
                'type' => 'checkbox',
                'label' => __('Enable Payrelay', 'payrelay'),
                'default' => 'no',
            ],
            'title' => [
                'title' => __('Title', 'payrelay'),
                'type' => 'text',
                'description' => __('What the shopper sees at checkout.', 'payrelay'),
                'default' => __('Pay online', 'payrelay'),
                'desc_tip' => true,
            ],
            'description' => [
                'title' => __('Description', 'payrelay'),
                'type' => 'textarea',
                'default' => __('You will be sent to a secure payment page to complete your purchase.', 'payrelay'),
            ],
            'relay_url' => [
                'title' => __('Relay URL', 'payrelay'),
                'type' => 'url',
                'description' => __('Where this shop reaches the relay, e.g. https://pay.example.com', 'payrelay'),
                'default' => '',
            ],
            'shop_secret' => [
                'title' => __('Shop secret', 'payrelay'),
                'type' => 'payrelay_secret',
                'description' => __(
                    'The same value as PAYRELAY_SHOP_SECRET on the relay. Leave empty to keep the saved secret.',
                    'payrelay'
                ),
            ],
            'shop_id' => [
                'title' => __('Shop id', 'payrelay'),
                'type' => 'text',
                'description' => __(
                    'Only when the relay serves several shops: the id given to npm run shops:add. Else leave empty.',
                    'payrelay'
                ),
                'default' => '',
            ],
            'methods' => [
                'title' => __('Methods offered', 'payrelay'),
                'type' => 'multiselect',
                'class' => 'wc-enhanced-select',
                'options' => $methods,
                'default' => Settings::METHODS,
            ],
            'debug' => [
                'title' => __('Debug log', 'payrelay'),
                'type' => 'checkbox',
                'label' => __('Log relay calls to WooCommerce > Status > Logs (secrets redacted)', 'payrelay'),
                'default' => 'no',
            ],
        ];
    }

    /**
     * The secret's input is always rendered empty, so the saved value never reaches a browser, not even the admin's.
     *
     * @param string $key
     * @param array<string, mixed> $data
     */
    public function generate_payrelay_secret_html($key, $data): string
    {
        $field = $this->get_field_key($key);
        $saved = (string) $this->get_option($key) !== '';
        $placeholder = $saved ? __('Saved - enter a new value to replace it', 'payrelay') : '';
        return '<tr valign="top"><th scope="row" class="titledesc"><label for="' . esc_attr($field) . '">'
            . esc_html((string) $data['title']) . '</label></th><td class="forminp"><input type="password" name="'
            . esc_attr($field) . '" id="' . esc_attr($field) . '" value="" autocomplete="new-password" placeholder="'
            . esc_attr($placeholder) . '" /><p class="description">' . esc_html((string) ($data['description'] ?? ''))
            . '</p></td></tr>';
    }

    /**
     * @param string $key
     * @param string|null $value
     */
    public function validate_payrelay_secret_field($key, $value): string
    {
        $value = trim((string) $value);
        return $value === '' ? (string) $this->get_option($key) : $value;
    }

    public function admin_options(): void
    {
        $this->status?->render(get_woocommerce_currency());
        parent::admin_options();
        $this->diagnostics->render_section();
    }

    /**
     * Without a relay URL and secret every payment would fail, so the method is not offered at all; nor while the
     * background check has found the relay down for minutes (RelayHealth), so shoppers choose another method
     * instead of meeting an error.
     */
    public function is_available(): bool
    {
        $settings = Settings::from_array($this->settings);
        if (
            !parent::is_available() || $settings->relay_url === '' || $settings->shop_secret === ''
            || ($this->health?->is_down() ?? false)
        ) {
            return false;
        }
        // At checkout: only when the relay can route at least one of the methods for this cart (CheckoutMethods).
        return CheckoutCart::current() === null || $this->checkout_methods() !== [];
    }

    /** @return string[] the merchant's choice in the settings */
    public function offered_methods(): array
    {
        return Settings::from_array($this->settings)->methods;
    }

    /**
     * What the shopper may choose here: the merchant's methods that the relay can route for this cart, or the
     * merchant's choice where there is no cart (wp-admin).
     *
     * @return string[]
     */
    public function checkout_methods(): array
    {
        $cart = CheckoutCart::current();
        if ($cart === null || $this->methods === null) {
            return $this->offered_methods();
        }
        return $this->methods->for_cart($cart->currency, $cart->country, $cart->amount_minor);
    }

    public function payment_fields(): void
    {
        if ($this->description !== '') {
            echo wp_kses_post(wpautop(wptexturize($this->description)));
        }
        $methods = $this->checkout_methods();
        if ($methods === []) {
            // Only reached when WooCommerce renders the fields without asking is_available() first.
            echo '<p class="payrelay-methods-none">' . esc_html__(
                'Online payment is not available for this order right now. Please choose another payment method.',
                'payrelay'
            ) . '</p>';
            return;
        }
        if (count($methods) === 1) {
            echo '<input type="hidden" name="payrelay_method" value="' . esc_attr($methods[0]) . '" />';
            return;
        }
        echo '<fieldset class="payrelay-methods"><legend>' . esc_html__('Pay with', 'payrelay') . '</legend>';
        foreach ($methods as $index => $method) {
            echo '<label><input type="radio" name="payrelay_method" value="' . esc_attr($method) . '"';
            if ($index === 0) {
                echo ' checked';
            }
            echo ' /> ' . esc_html(Settings::method_label($method)) . '</label><br />';
        }
        echo '</fieldset>';
    }

    /**
     * Failures reach the shopper the way each caller shows them (see StoreApiCall): the block checkout gets an
     * exception with the shopper's message; the classic checkout and the order-pay page get a notice and a failure
     * result, which always carries `redirect` (WooCommerce 8.9's Store API reads it without a default).
     *
     * @param int $order_id
     * @return array{result: string, redirect: string}
     * @throws PaymentStartException only when called from the Store API
     */
    public function process_payment($order_id): array
    {
        try {
            $order = wc_get_order($order_id);
            if (!$order instanceof \WC_Order) {
                throw new PaymentStartException(
                    __('We could not find your order. Please try again.', 'payrelay'),
                    'order ' . (int) $order_id . ' not found'
                );
            }
            return $this->starter->start(
                $order,
                $this->chosen_method(),
                $this->get_return_url($order),
                // Leaving the provider's page brings the shopper back to pay again (with a message), not to
                // WooCommerce's cancel link.
                add_query_arg(ReturnPage::LEFT_CHECKOUT_ARG, '1', $order->get_checkout_payment_url()),
                (string) get_locale()
            );
        } catch (PaymentStartException $e) {
            if (StoreApiCall::active()) {
                throw $e;
            }
            wc_add_notice($e->getMessage(), 'error');
            return ['result' => 'failure', 'redirect' => ''];
        }
    }

    /**
     * WooCommerce's "Refund via Payrelay" button: it has recorded the refund already and deletes it again when this
     * returns a WP_Error, whose message the merchant reads in the order screen.
     *
     * @param int $order_id
     * @param float|string|null $amount
     * @param string $reason
     * @return bool|\WP_Error
     */
    public function process_refund($order_id, $amount = null, $reason = '')
    {
        $order = wc_get_order($order_id);
        if (!$order instanceof \WC_Order || $order->get_payment_method() !== $this->id) {
            return new \WP_Error('payrelay_refund', __('This order was not paid through Payrelay.', 'payrelay'));
        }
        return ($this->refunder ?? Refunder::from_settings())->refund($order, $amount, (string) $reason);
    }

    /**
     * The classic checkout posts `payrelay_method`; the block checkout's paymentMethodData arrives in $_POST too.
     * WooCommerce has verified the checkout nonce before process_payment runs.
     */
    private function chosen_method(): string
    {
        $offered = $this->checkout_methods();
        // phpcs:ignore WordPress.Security.NonceVerification.Missing -- WooCommerce verified the checkout nonce
        $posted = isset($_POST['payrelay_method']) ? sanitize_key(wp_unslash($_POST['payrelay_method'])) : '';
        if (in_array($posted, $offered, true)) {
            return $posted;
        }
        if ($offered === Settings::METHODS) {
            return 'any';
        }
        return $offered[0] ?? 'any';
    }
}
