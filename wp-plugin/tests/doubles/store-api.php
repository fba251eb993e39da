<?php

/**
 * The WooCommerce 8.9 Store API code that calls a gateway's process_payment from the block checkout, followed
 * line by line so the plugin is tested against the real failure contract (WooCommerce cannot be installed here).
 * Sources, from WooCommerce's public repository (plugins/woocommerce/):
 * - src/StoreApi/Payments/PaymentContext.php, PaymentResult.php: magic __get for their protected fields, no __isset;
 *   set_status refuses anything but success/failure/pending/error; set_payment_details casts values to string.
 * - src/StoreApi/Legacy.php (8.9): process_legacy_payment, hooked at priority 999 on
 *   `woocommerce_rest_checkout_process_payment_with_context`: validate_fields(), notices → exception, $_POST replaced by
 *   the request's payment_data around process_payment(), then wc_clear_notices() (notices added by process_payment
 *   are dropped), set_status('success' or 'failure') and set_redirect_url($gateway_result['redirect']) with no
 *   default: a failure result without `redirect` is PHP's "Undefined array key" (line 68 in 8.9.1).
 * - src/StoreApi/Utilities/NoticeHandler.php: convert_notices_to_exceptions throws the first error notice.
 * - src/StoreApi/Utilities/CheckoutTrait.php (8.9): process_payment runs the action inside try/catch(\Exception)
 *   and rethrows RouteException('woocommerce_rest_checkout_process_payment_error', $e->getMessage(), 400): that
 *   message is what the block checkout shows the shopper. get_request_payment_data turns the request's
 *   `payment_data` [{key, value}] into sanitize_key(key) => wc_clean(value).
 * Newer WooCommerce (Legacy.php on trunk) also throws for a failure result carrying `message`, and defaults
 * `redirect` to ''; the plugin's behaviour is right for both.
 */

namespace Automattic\WooCommerce\StoreApi\Exceptions {

    class RouteException extends \Exception
    {
        /**
         * @param array<string, mixed> $additional_data
         */
        public function __construct(
            public string $error_code,
            string $message,
            public int $http_status_code = 400,
            public array $additional_data = []
        ) {
            parent::__construct($message, $http_status_code);
        }

        public function getErrorCode()
        {
            return $this->error_code;
        }
    }
}

namespace Automattic\WooCommerce\StoreApi\Payments {

    class PaymentContext
    {
        protected $payment_method = '';
        protected $order;
        protected $payment_data = [];

        public function __get($name)
        {
            if (in_array($name, ['payment_method', 'order', 'payment_data'], true)) {
                return $this->$name;
            }
            return null;
        }

        public function set_payment_method($payment_method)
        {
            $this->payment_method = (string) $payment_method;
        }

        /** WooCommerce looks the gateway up in WC()->payment_gateways; the test hands it in. */
        public ?\WC_Payment_Gateway $gateway = null;

        public function get_payment_method_instance()
        {
            return $this->gateway;
        }

        public function set_order(\WC_Order $order)
        {
            $this->order = $order;
        }

        public function set_payment_data($payment_data = [])
        {
            $this->payment_data = [];
            foreach ($payment_data as $key => $value) {
                $this->payment_data[(string) $key] = (string) $value;
            }
        }
    }

    class PaymentResult
    {
        protected $valid_statuses = ['success', 'failure', 'pending', 'error'];
        protected $status = '';
        protected $payment_details = [];
        protected $redirect_url = '';

        public function __construct($status = '')
        {
            if ($status) {
                $this->set_status($status);
            }
        }

        public function __get($name)
        {
            if (in_array($name, ['status', 'payment_details', 'redirect_url'], true)) {
                return $this->$name;
            }
            return null;
        }

        public function set_status($payment_status)
        {
            if (!in_array($payment_status, $this->valid_statuses, true)) {
                throw new \Exception(sprintf('Invalid payment status %s.', $payment_status));
            }
            $this->status = $payment_status;
        }

        public function set_payment_details($payment_details = [])
        {
            $this->payment_details = [];
            foreach ($payment_details as $key => $value) {
                $this->payment_details[(string) $key] = (string) $value;
            }
        }

        public function set_redirect_url($redirect_url = '')
        {
            $this->redirect_url = esc_url_raw($redirect_url);
        }
    }
}

namespace {

    use Automattic\WooCommerce\StoreApi\Exceptions\RouteException;
    use Automattic\WooCommerce\StoreApi\Payments\PaymentContext;
    use Automattic\WooCommerce\StoreApi\Payments\PaymentResult;

    /** NoticeHandler::convert_notices_to_exceptions (8.9). */
    function payrelay_store_api_notices_to_exception(string $error_code): void
    {
        if (0 === wc_notice_count('error')) {
            wc_clear_notices();
            return;
        }
        $error_notices = wc_get_notices('error');
        wc_clear_notices();
        foreach ($error_notices as $error_notice) {
            throw new RouteException($error_code, strip_tags($error_notice['notice']), 400);
        }
    }

    /**
     * POST /wc/store/v1/checkout as far as payment goes: CheckoutTrait::process_payment around the
     * `woocommerce_rest_checkout_process_payment_with_context` action, whose listeners are the plugin's own (from
     * PayrelayTestState::$hooks, priority 10) and Legacy::process_legacy_payment (priority 999).
     *
     * @param array<int, array{key: string, value: string}> $request_payment_data the request's `payment_data`
     * @return array{status: int, body: array<string, mixed>} what the Store API answers
     */
    function payrelay_store_api_checkout(\WC_Payment_Gateway $gateway, \WC_Order $order, array $request_payment_data): array
    {
        $payment_result = new PaymentResult();
        try {
            $payment_data = [];
            foreach ($request_payment_data as $data) {
                $payment_data[sanitize_key($data['key'])] = sanitize_text_field($data['value']);
            }
            $context = new PaymentContext();
            $context->set_payment_method($gateway->id);
            $context->set_payment_data($payment_data);
            $context->set_order($order);
            $context->gateway = $gateway;

            $listeners = array_filter(
                PayrelayTestState::$hooks,
                static fn (array $hook): bool => $hook['hook'] === 'woocommerce_rest_checkout_process_payment_with_context'
            );
            $listeners[] = ['hook' => '', 'callback' => 'payrelay_store_api_legacy_payment', 'priority' => 999, 'args' => 2];
            usort($listeners, static fn (array $a, array $b): int => $a['priority'] <=> $b['priority']);
            foreach ($listeners as $listener) {
                $args = [$context, &$payment_result];
                call_user_func_array($listener['callback'], array_slice($args, 0, $listener['args']));
            }
        } catch (\Exception $e) {
            if ($e instanceof \PHPUnit\Framework\Exception) {
                // A PHP warning PHPUnit turned into an exception: in a shop it is logged and the request goes on.
                throw $e;
            }
            $e = new RouteException('woocommerce_rest_checkout_process_payment_error', $e->getMessage(), 400);
            return ['status' => 400, 'body' => ['code' => $e->getErrorCode(), 'message' => $e->getMessage(), 'data' => ['status' => 400]]];
        }
        // CheckoutTrait::prepare_item_for_response: the status code follows the payment result.
        $codes = ['success' => 200, 'pending' => 202, 'failure' => 400, 'error' => 500];
        return ['status' => $codes[$payment_result->status] ?? 200, 'body' => ['payment_result' => [
            'payment_status' => $payment_result->status,
            'payment_details' => $payment_result->payment_details,
            'redirect_url' => $payment_result->redirect_url,
        ]]];
    }

    /** Legacy::process_legacy_payment, WooCommerce 8.9. */
    function payrelay_store_api_legacy_payment(PaymentContext $context, PaymentResult &$result): void
    {
        if ($result->status) {
            return;
        }
        $post_data = $_POST;
        $_POST = $context->payment_data;
        $payment_method_object = $context->get_payment_method_instance();
        if (!$payment_method_object instanceof \WC_Payment_Gateway) {
            return;
        }
        $payment_method_object->validate_fields();
        payrelay_store_api_notices_to_exception('woocommerce_rest_payment_error');

        $gateway_result = $payment_method_object->process_payment($context->order->get_id());

        $_POST = $post_data;
        // "If process_payment added notices, clear them. Notices are not displayed from the API."
        wc_clear_notices();
        $result->set_status(isset($gateway_result['result']) && 'success' === $gateway_result['result'] ? 'success' : 'failure');
        $result->set_payment_details(array_merge($result->payment_details, $gateway_result));
        // Read without a default, as 8.9 does: PHPUnit turns the "Undefined array key" warning into a failure.
        $result->set_redirect_url($gateway_result['redirect']);
    }

    /**
     * The classic checkout: WC_Checkout::process_checkout's try/catch around process_order_payment, which shows
     * wc_add_notice() errors (and an exception's message, turned into a notice) next to a failure.
     *
     * @return array{result: string, messages: string[], redirect?: string}
     */
    function payrelay_classic_checkout(\WC_Payment_Gateway $gateway, \WC_Order $order, array $post): array
    {
        $_POST = $post;
        try {
            $result = $gateway->process_payment($order->get_id());
            if (isset($result['result']) && 'success' === $result['result']) {
                return ['result' => 'success', 'messages' => [], 'redirect' => $result['redirect']];
            }
        } catch (\Exception $e) {
            wc_add_notice($e->getMessage(), 'error');
        }
        $messages = array_map(static fn (array $n): string => $n['notice'], wc_get_notices('error'));
        wc_clear_notices();
        return ['result' => 'failure', 'messages' => $messages];
    }

    /**
     * The order-pay page: WC_Form_Handler::pay_action calls process_payment with no try/catch (an exception is a
     * fatal error there) and prints the notices when the result is not a success.
     *
     * @return array{result: string, messages: string[]}
     */
    function payrelay_order_pay(\WC_Payment_Gateway $gateway, \WC_Order $order, array $post): array
    {
        $_POST = $post;
        $gateway->validate_fields();
        $result = $gateway->process_payment($order->get_id());
        $messages = array_map(static fn (array $n): string => $n['notice'], wc_get_notices('error'));
        wc_clear_notices();
        return ['result' => (string) ($result['result'] ?? ''), 'messages' => $messages];
    }
}
