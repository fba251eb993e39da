<?php

/**
 * Small stand-ins for the WooCommerce classes and functions the plugin calls.
 */

namespace Automattic\WooCommerce\Blocks\Payments\Integrations {

    abstract class AbstractPaymentMethodType
    {
        /** @var string */
        protected $name = '';
        /** @var array<string, mixed> */
        protected $settings = [];

        abstract public function initialize();

        public function get_name()
        {
            return $this->name;
        }
    }
}

namespace Automattic\WooCommerce\Utilities {

    class FeaturesUtil
    {
        public static function declare_compatibility($feature, $plugin_file, $positive = true)
        {
            \PayrelayTestState::$features[] = [$feature, $plugin_file, $positive];
            return true;
        }
    }
}

namespace {

    class WC_Order
    {
        /** @var array<string, string> */
        public array $meta = [];
        /** @var string[] */
        public array $notes = [];
        public int $saves = 0;
        /** @var array<string, string> meta as of the last save() */
        public array $saved_meta = [];
        public string $status = 'pending';
        public string $created_via = 'checkout';

        public function __construct(
            private int $id = 1042,
            private string $total = '19.99',
            private string $currency = 'EUR',
            private string $payment_method = 'payrelay',
            public bool $paid = false,
            private string $order_key = 'wc_order_abc123',
        ) {
        }

        public function get_id()
        {
            return $this->id;
        }

        public function get_order_key()
        {
            return $this->order_key;
        }

        public function get_total()
        {
            return $this->total;
        }

        public function get_currency()
        {
            return $this->currency;
        }

        public function get_billing_email()
        {
            return 'zoe@example.com';
        }

        public function get_billing_country()
        {
            return 'DE';
        }

        public function get_payment_method()
        {
            return $this->payment_method;
        }

        public function get_status()
        {
            return $this->status;
        }

        public function get_created_via()
        {
            return $this->created_via;
        }

        /** WooCommerce: the status is one of wc_get_is_paid_statuses() (processing, completed). */
        public function is_paid()
        {
            return $this->paid || in_array($this->status, ['processing', 'completed'], true);
        }

        public function get_checkout_payment_url($on_checkout = false)
        {
            return 'https://shop.test/checkout/order-pay/' . $this->id . '/?pay_for_order=true&key=' . $this->order_key;
        }

        public function get_checkout_order_received_url()
        {
            return 'https://shop.test/checkout/order-received/' . $this->id . '/?key=' . $this->order_key;
        }

        public function get_meta($key = '', $single = true, $context = 'view')
        {
            return $this->meta[$key] ?? '';
        }

        public function update_meta_data($key, $value, $meta_id = 0)
        {
            $this->meta[$key] = $value;
        }

        /** @var object[] newest first, like WC_Order::get_refunds() */
        public array $refunds = [];

        public function get_refunds()
        {
            return $this->refunds;
        }

        public function add_order_note($note, $is_customer_note = 0, $added_by_user = false)
        {
            $this->notes[] = $note;
            return count($this->notes);
        }

        public function save()
        {
            $this->saves++;
            $this->saved_meta = $this->meta;
            return $this->id;
        }
    }

    class WC_Order_Refund
    {
        public function __construct(private int $id, private string $amount = '0', private string $reason = '')
        {
        }

        public function get_id()
        {
            return $this->id;
        }

        public function get_amount()
        {
            return $this->amount;
        }

        public function get_reason()
        {
            return $this->reason;
        }
    }

    class WC_Payment_Gateway
    {
        /** @var string */
        public $id = '';
        /** @var string */
        public $method_title = '';
        /** @var string */
        public $method_description = '';
        /** @var bool */
        public $has_fields = false;
        /** @var string[] */
        public $supports = [];
        /** @var array<string, array<string, mixed>> */
        public $form_fields = [];
        /** @var array<string, mixed> */
        public $settings = [];
        /** @var string */
        public $title = '';
        /** @var string */
        public $description = '';
        /** @var string */
        public $enabled = 'no';
        /** @var string */
        public $plugin_id = 'woocommerce_';

        public function init_settings()
        {
            $saved = get_option($this->plugin_id . $this->id . '_settings', null);
            if (!is_array($saved)) {
                $saved = [];
                foreach ($this->form_fields as $key => $field) {
                    $saved[$key] = $field['default'] ?? '';
                }
            }
            $this->settings = $saved;
            $this->enabled = ($this->settings['enabled'] ?? 'no') === 'yes' ? 'yes' : 'no';
        }

        public function get_option($key, $empty_value = null)
        {
            if (!isset($this->settings[$key])) {
                return $this->form_fields[$key]['default'] ?? '';
            }
            return $this->settings[$key];
        }

        public function get_field_key($key)
        {
            return $this->plugin_id . $this->id . '_' . $key;
        }

        public function is_available()
        {
            return $this->enabled === 'yes';
        }

        public function get_return_url($order = null)
        {
            return $order ? $order->get_checkout_order_received_url() : 'https://shop.test/checkout/order-received/';
        }

        public function admin_options()
        {
            echo '<table class="form-table"></table>';
        }

        public function process_admin_options()
        {
            return true;
        }

        public function validate_fields()
        {
            return true;
        }
    }

    function wc_get_order($id = false)
    {
        return PayrelayTestState::$orders[(int) $id] ?? false;
    }

    function wc_add_notice($message, $type = 'success', $data = [])
    {
        PayrelayTestState::$notices[] = [$type, $message];
    }

    function wc_notice_count($notice_type = '')
    {
        return count(wc_get_notices($notice_type));
    }

    /** @return array<int, array{notice: string, data: array}> as WooCommerce keeps them in the session */
    function wc_get_notices($notice_type = '')
    {
        $notices = [];
        foreach (PayrelayTestState::$notices as [$type, $message]) {
            if ($notice_type === '' || $notice_type === $type) {
                $notices[] = ['notice' => $message, 'data' => []];
            }
        }
        return $notices;
    }

    function wc_clear_notices()
    {
        PayrelayTestState::$notices = [];
    }

    /** WooCommerce's labels (wc_get_order_statuses), for the statuses the plugin meets. */
    function wc_get_order_status_name($status)
    {
        $names = [
            'pending' => 'Pending payment',
            'processing' => 'Processing',
            'on-hold' => 'On hold',
            'completed' => 'Completed',
            'cancelled' => 'Cancelled',
            'refunded' => 'Refunded',
            'failed' => 'Failed',
            'checkout-draft' => 'Draft',
        ];
        $status = str_starts_with((string) $status, 'wc-') ? substr((string) $status, 3) : (string) $status;
        return $names[$status] ?? $status;
    }

    /**
     * wc_price as WooCommerce 8.9 formats it with the shop's default settings (symbol left, "." decimals, ","
     * thousands, 2 decimals unless the currency's own are given in $args): the amount inside
     * <span class="woocommerce-Price-amount amount"><bdi>…</bdi></span>.
     */
    function wc_price($price, $args = [])
    {
        $symbols = ['EUR' => '&euro;', 'USD' => '&#36;', 'GBP' => '&pound;', 'JPY' => '&yen;', 'KWD' => '&#x62f;.&#x643;'];
        $currency = $args['currency'] ?? 'EUR';
        $decimals = $args['decimals'] ?? 2;
        $formatted = number_format((float) $price, $decimals, '.', ',');
        $symbol = '<span class="woocommerce-Price-currencySymbol">' . ($symbols[$currency] ?? $currency) . '</span>';
        return '<span class="woocommerce-Price-amount amount"><bdi>' . $symbol . $formatted . '</bdi></span>';
    }

    function get_woocommerce_currency()
    {
        return 'EUR';
    }

    function wc_get_page_screen_id($for)
    {
        return 'woocommerce_page_wc-orders';
    }

    class PayrelayTestLogger
    {
        public function log($level, $message, $context = [])
        {
            PayrelayTestState::$logs[] = [$level, $message];
        }
    }

    function wc_get_logger()
    {
        return new PayrelayTestLogger();
    }

    class PayrelayTestMailer
    {
        public function customer_invoice($order)
        {
            PayrelayTestState::$emails[] = ['customer_invoice', $order->get_id()];
        }
    }

    class PayrelayTestCart
    {
        public function __construct(private string $total)
        {
        }

        /** WC_Cart::get_total('edit'): the raw total as a string */
        public function get_total($context = 'view')
        {
            return $this->total;
        }
    }

    class PayrelayTestCustomer
    {
        public function __construct(private string $billing_country, private string $shipping_country = '')
        {
        }

        public function get_billing_country()
        {
            return $this->billing_country;
        }

        public function get_shipping_country()
        {
            return $this->shipping_country;
        }
    }

    function is_checkout_pay_page()
    {
        return PayrelayTestState::$pay_page;
    }

    class PayrelayTestWooCommerce
    {
        public ?PayrelayTestCart $cart;
        public ?PayrelayTestCustomer $customer;

        public function __construct()
        {
            $this->cart = PayrelayTestState::$cart;
            $this->customer = PayrelayTestState::$customer;
        }

        public function mailer()
        {
            return new PayrelayTestMailer();
        }
    }

    function WC()
    {
        return new PayrelayTestWooCommerce();
    }
}
