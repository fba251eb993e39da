<?php

namespace Payrelay;

use Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType;

defined('ABSPATH') || exit;

/**
 * The block-based Checkout's side of the gateway. Only display data goes to the browser: title, description and
 * the methods offered, never the relay URL or the shop secret.
 */
final class BlocksIntegration extends AbstractPaymentMethodType
{
    /** @var string */
    protected $name = Contract::GATEWAY_ID;

    /** @param CheckoutMethods|null $methods the plugin's, shared with the gateway; null offers the merchant's choice */
    public function __construct(
        private string $plugin_file,
        private string $version,
        private ?CheckoutMethods $methods = null
    ) {
    }

    public function initialize(): void
    {
        $saved = get_option(Settings::OPTION, []);
        $this->settings = is_array($saved) ? $saved : [];
    }

    public function is_active(): bool
    {
        $settings = Settings::from_array($this->settings);
        return $settings->enabled && $settings->relay_url !== '' && $settings->shop_secret !== '';
    }

    /** @return string[] */
    public function get_payment_method_script_handles(): array
    {
        wp_register_script(
            'payrelay-blocks',
            plugins_url('assets/js/blocks-checkout.js', $this->plugin_file),
            ['wc-blocks-registry', 'wp-element', 'wp-html-entities'],
            $this->version,
            true
        );
        if (function_exists('wp_set_script_translations')) {
            wp_set_script_translations('payrelay-blocks', 'payrelay');
        }
        return ['payrelay-blocks'];
    }

    /** @return array<string, mixed> */
    public function get_payment_method_data(): array
    {
        $settings = Settings::from_array($this->settings);
        $methods = [];
        foreach ($this->methods_for_cart($settings) as $method) {
            $methods[] = ['value' => $method, 'label' => Settings::method_label($method)];
        }
        return [
            'title' => $settings->title !== '' ? $settings->title : __('Pay online', 'payrelay'),
            'description' => $settings->description,
            // The script does not offer the gateway when this is empty (canMakePayment).
            'methods' => $methods,
            'methodLegend' => __('Pay with', 'payrelay'),
            'supports' => ['products'],
        ];
    }

    /**
     * The methods the relay can route for the cart as the checkout page is built (the same answer and cache as the
     * classic checkout). The Store API checks again at payment time: the gateway's is_available() with the address
     * the shopper ended up with.
     *
     * @return string[]
     */
    private function methods_for_cart(Settings $settings): array
    {
        $cart = CheckoutCart::current();
        if ($cart === null || $this->methods === null) {
            return $settings->methods;
        }
        return $this->methods->for_cart($cart->currency, $cart->country, $cart->amount_minor);
    }
}
