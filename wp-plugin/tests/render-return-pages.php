<?php

/**
 * Renders the thank-you page for every return-page state into HTML files, for the Chromium test
 * (test/e2e/return-page-screenshots.test.ts) to look at and screenshot. The plugin's real ReturnPage renders its part
 * over the WordPress/WooCommerce test doubles; around it is WooCommerce 8.9's checkout/thankyou.php skeleton (the
 * "order received" paragraph through the plugin's filter, or the fixed "declined" block for failed orders).
 *
 *   php wp-plugin/tests/render-return-pages.php OUT_DIR   → OUT_DIR/<state>.html, OUT_DIR/index.json
 */

define('ABSPATH', __DIR__ . '/');
require_once __DIR__ . '/doubles/class-test-state.php';
require_once __DIR__ . '/doubles/wordpress.php';
require_once __DIR__ . '/doubles/woocommerce.php';
require_once dirname(__DIR__) . '/src/class-autoloader.php';
\Payrelay\Autoloader::register(dirname(__DIR__) . '/src');

$out = $argv[1] ?? '';
if ($out === '' || !is_dir($out)) {
    fwrite(STDERR, "usage: php render-return-pages.php OUT_DIR\n");
    exit(2);
}

/** page => [order status, relay status of the latest session or null for none]; the page name is the state */
$scenarios = [
    'confirmed' => ['processing', 'paid'],
    'paid_updating' => ['failed', 'paid'],
    'paid_after_cancel' => ['cancelled', 'paid'],
    'on_hold_paid' => ['on-hold', 'paid'],
    'confirming' => ['pending', 'pending'],
    'review_pending' => ['pending', 'review'],
    'review' => ['on-hold', 'review'],
    'not_paid' => ['pending', null],
    'abandoned' => ['pending', 'cancelled'],
    'failed' => ['failed', 'failed'],
    'expired' => ['pending', 'expired'],
    'cancelled' => ['cancelled', 'expired'],
    'on_hold' => ['on-hold', 'failed'],
    'refunded' => ['pending', 'refunded'],
    'order_refunded' => ['refunded', 'paid'],
    'order_received' => ['shipped', 'paid'],
    // The first attempt was declined (WooCommerce has the order as failed); the shopper is back from a second one
    // whose webhook has not arrived yet.
    'retry-after-failed' => ['failed', 'pending'],
];

$index = [];
foreach ($scenarios as $expected => [$order_status, $payment]) {
    PayrelayTestState::reset();
    $order = new WC_Order(1042, '19.99', 'EUR', 'payrelay', in_array($order_status, ['processing', 'completed'], true));
    $order->status = $order_status;
    PayrelayTestState::$orders[1042] = $order;
    if ($payment !== null) {
        $order->meta['_payrelay_session_id'] = 'ps_latest';
        $order->meta['_payrelay_status_token'] = 'st_latest';
        PayrelayTestState::queue_json(200, ['session_id' => 'ps_latest', 'status' => $payment]);
    }
    $client = new \Payrelay\RelayClient('https://relay.test', 'prs_test_secret_0123456789abcdef', new \Payrelay\Log(false));
    $page = new \Payrelay\ReturnPage($client, '/plugins/payrelay/payrelay.php', '0.1.0');
    $view = $page->view($order);
    $state = $view['state'];

    ob_start();
    $page->render(1042);
    $section = (string) ob_get_clean();
    if ($order_status === 'failed') {
        // WooCommerce 8.9 checkout/thankyou.php for failed orders: fixed texts, no filter.
        $woocommerce = '<p class="woocommerce-notice woocommerce-notice--error woocommerce-thankyou-order-failed">'
            . 'Unfortunately your order cannot be processed as the originating bank/merchant has declined your '
            . 'transaction. Please attempt your purchase again.</p>'
            . '<p class="woocommerce-notice woocommerce-notice--error woocommerce-thankyou-order-failed-actions">'
            . '<a href="#" class="button pay">Pay</a></p>';
    } else {
        $text = $page->received_text('Thank you. Your order has been received.', $order);
        $woocommerce = '<p class="woocommerce-notice woocommerce-notice--success woocommerce-thankyou-order-received">'
            . $text . '</p><ul class="woocommerce-order-overview"><li>Order number: <strong>1042</strong></li>'
            . '<li>Total: <strong>&euro;19.99</strong></li><li>Payment method: <strong>Pay online</strong></li></ul>';
    }
    $scripts = '';
    if (isset(PayrelayTestState::$localized['payrelay-return'])) {
        $config = PayrelayTestState::$localized['payrelay-return']['data'];
        // The browser test answers the poll itself, quickly.
        $config['ajaxUrl'] = '/ajax';
        $config['intervalMs'] = 150;
        $scripts = '<script>window.payrelayReturn = ' . json_encode($config) . ';</script>'
            . '<script src="/return-page.js"></script>';
    }
    $html = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Order received: ' . $expected . '</title>'
        . '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;color:#1e1e1e}'
        . '.woocommerce-notice{padding:.8rem 1rem;border-left:4px solid #2271b1;background:#f0f6fc}'
        . '.woocommerce-notice--error{border-color:#d63638;background:#fcf0f1}.button{display:inline-block;'
        . 'padding:.5rem 1rem;background:#2271b1;color:#fff;text-decoration:none;border-radius:3px}'
        . '[hidden]{display:none!important}h2{font-size:1.4rem}</style></head><body>'
        . '<h1>Order received</h1><div class="woocommerce-order">' . $woocommerce . $section . '</div>' . $scripts
        . '</body></html>';
    file_put_contents($out . '/' . $expected . '.html', $html);
    $index[] = ['file' => $expected . '.html', 'expected' => $expected, 'state' => $state, 'order_status' => $order_status, 'payment' => $payment,
        'answer' => ['state' => $state, 'headline' => $view['headline'], 'message' => $view['message'], 'final' => $view['final'], 'pay_url' => $view['pay_url']]];
}
file_put_contents($out . '/index.json', json_encode($index, JSON_PRETTY_PRINT));
echo count($index) . " pages\n";
