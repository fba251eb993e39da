<?php

/**
 * What the WordPress and WooCommerce doubles record and answer; reset before every test.
 */
final class PayrelayTestState
{
    /** @var array<string, mixed> */
    public static array $options = [];
    /** @var array<int, array|WP_Error> queued answers for wp_remote_* */
    public static array $http_responses = [];
    /** @var array<int, array{method: string, url: string, args: array}> */
    public static array $http_requests = [];
    /** @var array<int, array{0: string, 1: string}> */
    public static array $notices = [];
    /** @var array<int, array{hook: string, callback: callable, priority: int, args: int}> */
    public static array $hooks = [];
    /** @var array<int, WC_Order> */
    public static array $orders = [];
    /** @var string[] */
    public static array $capabilities = ['manage_woocommerce', 'edit_shop_orders'];
    public static bool $nonce_valid = true;
    /** @var array<string, array> */
    public static array $scripts = [];
    /** @var array<string, array> */
    public static array $localized = [];
    /** @var array<int, array> */
    public static array $meta_boxes = [];
    /** @var array<int, array{0: string, 1: string}> */
    public static array $logs = [];
    /** @var array<int, array> */
    public static array $features = [];
    /** @var array<string, mixed> */
    public static array $transients = [];
    /** @var array<string, int> */
    public static array $scheduled = [];
    /** @var array<int, array{0: string, 1: int}> e-mails WooCommerce was asked to send: [email id, order id] */
    public static array $emails = [];
    public static bool $is_admin = false;
    public static bool $doing_ajax = false;
    /** WC()->cart and WC()->customer: null outside a shopper's request (wp-admin, cron) */
    public static ?PayrelayTestCart $cart = null;
    public static ?PayrelayTestCustomer $customer = null;
    /** @var array<string, mixed> */
    public static array $query_vars = [];
    public static bool $pay_page = false;
    /** wp_remote_* make real requests instead of answering from $http_responses (tests/render-checkout.php) */
    public static bool $real_http = false;

    public static function reset(): void
    {
        self::$options = [];
        self::$http_responses = [];
        self::$http_requests = [];
        self::$notices = [];
        self::$hooks = [];
        self::$orders = [];
        self::$capabilities = ['manage_woocommerce', 'edit_shop_orders'];
        self::$nonce_valid = true;
        self::$scripts = [];
        self::$localized = [];
        self::$meta_boxes = [];
        self::$logs = [];
        self::$features = [];
        self::$transients = [];
        self::$scheduled = [];
        self::$emails = [];
        self::$is_admin = false;
        self::$doing_ajax = false;
        self::$cart = null;
        self::$customer = null;
        self::$query_vars = [];
        self::$pay_page = false;
        self::$real_http = false;
        \Payrelay\StoreApiCall::reset();
        $_POST = [];
        $_GET = [];
        $_REQUEST = [];
    }

    /**
     * @param array<string, mixed> $body
     */
    /**
     * @param array<string, string> $headers
     */
    public static function queue_json(int $status, array $body, array $headers = []): void
    {
        self::$http_responses[] = [
            'response' => ['code' => $status, 'message' => ''],
            'headers' => $headers,
            'body' => json_encode($body),
        ];
    }

    /** A shopper at checkout: a cart with this total and the address typed so far. */
    public static function shopper(string $total, string $billing_country, string $shipping_country = ''): void
    {
        self::$cart = new PayrelayTestCart($total);
        self::$customer = new PayrelayTestCustomer($billing_country, $shipping_country);
    }

    public static function queue_raw(int $status, string $body): void
    {
        self::$http_responses[] = ['response' => ['code' => $status, 'message' => ''], 'body' => $body];
    }

    public static function queue_network_error(string $message = 'cURL error 7: Failed to connect'): void
    {
        self::$http_responses[] = new WP_Error('http_request_failed', $message);
    }

    /**
     * @return array<int, string>
     */
    public static function hook_names(): array
    {
        return array_map(static fn (array $hook): string => $hook['hook'], self::$hooks);
    }
}

/** Thrown by wp_send_json_* so a test can read the answer (WordPress would exit). */
final class PayrelayJsonResponse extends RuntimeException
{
    /**
     * @param mixed $data
     */
    public function __construct(public bool $success, public $data, public ?int $status)
    {
        parent::__construct('json response');
    }
}
