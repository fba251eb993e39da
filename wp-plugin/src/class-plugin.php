<?php

namespace Payrelay;

use Automattic\WooCommerce\Blocks\Payments\Integrations\AbstractPaymentMethodType;
use Automattic\WooCommerce\Utilities\FeaturesUtil;
use Payrelay\Admin\Diagnostics;
use Payrelay\Admin\RelayHealth;
use Payrelay\Admin\SettingsStatus;
use Payrelay\Admin\SiteCheck;
use Payrelay\Admin\TimelineBox;

defined('ABSPATH') || exit;

/**
 * The one place the plugin's hooks are registered. Services are built on first use from the saved settings, so a
 * request that never touches a payment never builds a relay client.
 */
final class Plugin
{
    private ?RelayClient $client = null;
    private ?Log $log = null;
    private ?ReturnPage $return_page = null;
    private ?CheckoutMethods $methods = null;

    public function __construct(private string $plugin_file, private string $version)
    {
    }

    public function register_hooks(): void
    {
        add_action('before_woocommerce_init', [$this, 'declare_compatibility']);
        add_action('init', [$this, 'load_textdomain']);
        add_filter('woocommerce_payment_gateways', [$this, 'add_gateway']);
        add_action('woocommerce_blocks_payment_method_type_registration', [$this, 'register_blocks']);

        add_action('woocommerce_thankyou_' . Contract::GATEWAY_ID, fn ($id) => $this->return_page()->render($id));
        add_filter('woocommerce_thankyou_order_received_text', fn ($text, $order = null) => $this->return_page()
            ->received_text($text, $order), 10, 2);
        add_action('before_woocommerce_pay', fn () => $this->return_page()->pay_page_notice());
        add_action('woocommerce_rest_checkout_process_payment_with_context', [StoreApiCall::class, 'begin'], 10, 1);
        add_action('wp_ajax_' . ReturnPage::AJAX_ACTION, fn () => $this->return_page()->ajax_status());
        add_action('wp_ajax_nopriv_' . ReturnPage::AJAX_ACTION, fn () => $this->return_page()->ajax_status());

        add_filter('woocommerce_cancel_unpaid_order', fn ($cancel, $order) => $this->provider_check()
            ->filter_cancel_unpaid($cancel, $order), 10, 2);
        add_filter('woocommerce_order_actions', fn ($actions, $order = null) => $this->provider_check()
            ->add_order_action($actions, $order), 10, 2);
        add_action('woocommerce_order_action_' . ProviderCheck::ACTION, fn ($order) => $this->provider_check()
            ->run_order_action($order));
        // Bulk actions: the HPOS orders screen and the classic posts screen.
        foreach (['woocommerce_page_wc-orders', 'edit-shop_order'] as $screen) {
            add_filter('bulk_actions-' . $screen, fn ($actions) => $this->provider_check()->add_bulk_action($actions));
            add_filter('handle_bulk_actions-' . $screen, fn ($redirect, $action, $ids) => $this->provider_check()
                ->handle_bulk_action($redirect, $action, $ids), 10, 3);
        }
        add_action('admin_notices', fn () => $this->provider_check()->bulk_notice());

        add_action('add_meta_boxes', fn () => (new TimelineBox($this->client(), $this->plugin_file, $this->version))
            ->register());
        add_action('wp_ajax_' . ProviderCheck::ACTION, fn () => $this->provider_check()->ajax_check());
        add_action('wp_ajax_' . Diagnostics::AJAX_ACTION, fn () => $this->diagnostics()->ajax());
        add_action('admin_notices', fn () => (new SiteCheck($this->client()))->render_notice());
        // Payment links (issue 11): order actions, the lifetime setting, the link in the invoice e-mail.
        $form_fields = 'woocommerce_settings_api_form_fields_' . Contract::GATEWAY_ID;
        add_filter($form_fields, [PaymentLinks::class, 'add_setting']);
        add_filter('woocommerce_order_actions', fn ($actions, $order = null) => $this->payment_links()
            ->add_order_actions($actions, $order), 20, 2);
        add_action('woocommerce_order_action_' . PaymentLinks::SEND, fn ($order) => $this->payment_links()
            ->send($order));
        add_action('woocommerce_order_action_' . PaymentLinks::REVOKE, fn ($order) => $this->payment_links()
            ->revoke($order));
        add_action(
            'woocommerce_email_before_order_table',
            fn ($order, $to_admin = false, $plain = false, $email = null) => $this->payment_links()
                ->append_to_email($order, $to_admin, $plain, $email),
            10,
            4
        );

        // The relay's health, checked by WP-cron in the background; admin pages only read the stored answer.
        add_filter('cron_schedules', [RelayHealth::class, 'add_schedule']);
        add_action('init', [RelayHealth::class, 'ensure_scheduled']);
        add_action(RelayHealth::CRON_HOOK, fn () => $this->health()->run());
        add_action('admin_notices', fn () => $this->health()->notice());
        add_filter('plugin_action_links_' . plugin_basename($this->plugin_file), [$this, 'action_links']);
    }

    /**
     * The plugins list row: a Settings link before WordPress's own (Deactivate).
     *
     * @param mixed $links
     * @return array<mixed>
     */
    public function action_links($links): array
    {
        $links = is_array($links) ? $links : [];
        $url = admin_url('admin.php?page=wc-settings&tab=checkout&section=' . Contract::GATEWAY_ID);
        array_unshift($links, '<a href="' . esc_url($url) . '">' . esc_html__('Settings', 'payrelay') . '</a>');
        return $links;
    }

    /** Deactivation stops the background check (payrelay.php registers this). */
    public static function deactivate(): void
    {
        wp_clear_scheduled_hook(RelayHealth::CRON_HOOK);
    }

    public function declare_compatibility(): void
    {
        if (class_exists(FeaturesUtil::class)) {
            FeaturesUtil::declare_compatibility('custom_order_tables', $this->plugin_file, true);
            FeaturesUtil::declare_compatibility('cart_checkout_blocks', $this->plugin_file, true);
        }
    }

    public function load_textdomain(): void
    {
        load_plugin_textdomain('payrelay', false, dirname(plugin_basename($this->plugin_file)) . '/languages');
    }

    /**
     * @param mixed $gateways
     * @return array<mixed>
     */
    public function add_gateway($gateways): array
    {
        $gateways = is_array($gateways) ? $gateways : [];
        // An instance, not a class name, so the gateway gets its collaborators (WooCommerce accepts both).
        $gateways[] = new Gateway(
            new SessionStarter($this->client(), $this->log()),
            $this->diagnostics(),
            $this->health(),
            new SettingsStatus($this->client()),
            null,
            $this->checkout_methods()
        );
        return $gateways;
    }

    /**
     * @param mixed $registry Automattic\WooCommerce\Blocks\Payments\PaymentMethodRegistry
     */
    public function register_blocks($registry): void
    {
        if (class_exists(AbstractPaymentMethodType::class) && is_object($registry)) {
            $registry->register(new BlocksIntegration($this->plugin_file, $this->version, $this->checkout_methods()));
        }
    }

    private function log(): Log
    {
        if ($this->log === null) {
            $settings = Settings::load();
            $this->log = new Log($settings->debug, [$settings->shop_secret]);
        }
        return $this->log;
    }

    private function client(): RelayClient
    {
        return $this->client ??= RelayClient::from_settings(Settings::load(), $this->log());
    }

    private function return_page(): ReturnPage
    {
        return $this->return_page ??= new ReturnPage($this->client(), $this->plugin_file, $this->version);
    }

    private function provider_check(): ProviderCheck
    {
        return new ProviderCheck($this->client(), $this->log());
    }

    private function payment_links(): PaymentLinks
    {
        return new PaymentLinks($this->client(), $this->log());
    }

    private function diagnostics(): Diagnostics
    {
        return new Diagnostics($this->client(), $this->plugin_file, $this->version, $this->health());
    }

    /** One for the classic gateway and the block checkout: the same client, log and relay-health reading. */
    private function checkout_methods(): CheckoutMethods
    {
        return $this->methods ??= new CheckoutMethods($this->client(), Settings::load()->methods, $this->health());
    }

    private function health(): RelayHealth
    {
        return new RelayHealth($this->client());
    }
}
