<?php

/**
 * Renders the classic checkout's payment section for a few carts into HTML files, for the Chromium test
 * (test/e2e/checkout-methods.test.ts). The plugin's real Gateway decides whether it is offered and renders its
 * fields over the WordPress/WooCommerce test doubles, asking a real relay (the test starts it) over real HTTP; around
 * it is WooCommerce 8.9's checkout/payment.php list, with Cash on delivery as the shop's other gateway.
 *
 *   php wp-plugin/tests/render-checkout.php OUT_DIR RELAY_URL SHOP_SECRET SCENARIOS_JSON
 *     SCENARIOS_JSON: [{"name": "nl-small", "country": "NL", "total": "19.99", "relay_url"?: "…"}, …]
 *   → OUT_DIR/<name>.html, OUT_DIR/index.json
 */

define('ABSPATH', __DIR__ . '/');
require_once __DIR__ . '/doubles/class-test-state.php';
require_once __DIR__ . '/doubles/wordpress.php';
require_once __DIR__ . '/doubles/woocommerce.php';
require_once dirname(__DIR__) . '/src/class-autoloader.php';
\Payrelay\Autoloader::register(dirname(__DIR__) . '/src');

[$out, $relay_url, $secret, $scenarios_json] = array_slice(array_pad($argv, 5, ''), 1);
$scenarios = json_decode($scenarios_json, true);
if ($out === '' || !is_dir($out) || $relay_url === '' || $secret === '' || !is_array($scenarios)) {
    fwrite(STDERR, "usage: php render-checkout.php OUT_DIR RELAY_URL SHOP_SECRET SCENARIOS_JSON\n");
    exit(2);
}

$index = [];
foreach ($scenarios as $scenario) {
    PayrelayTestState::reset();
    PayrelayTestState::$real_http = true;
    $url = (string) ($scenario['relay_url'] ?? $relay_url);
    PayrelayTestState::$options['woocommerce_payrelay_settings'] = [
        'enabled' => 'yes',
        'relay_url' => $url,
        'shop_secret' => $secret,
        'title' => 'Pay online',
        'description' => 'You will be sent to a secure payment page to complete your purchase.',
        'methods' => ['card', 'bank_transfer', 'wallet', 'crypto'],
        'debug' => 'no',
    ];
    PayrelayTestState::shopper((string) $scenario['total'], (string) $scenario['country']);
    $client = new \Payrelay\RelayClient($url, $secret, new \Payrelay\Log(false));
    $gateway = new \Payrelay\Gateway(
        new \Payrelay\SessionStarter($client, new \Payrelay\Log(false)),
        new \Payrelay\Admin\Diagnostics($client, '/plugins/payrelay/payrelay.php', '0.1.0'),
        null,
        null,
        null,
        new \Payrelay\CheckoutMethods($client, ['card', 'bank_transfer', 'wallet', 'crypto'])
    );

    $items = '';
    $available = $gateway->is_available();
    if ($available) {
        ob_start();
        $gateway->payment_fields();
        $fields = (string) ob_get_clean();
        $items .= '<li class="wc_payment_method payment_method_payrelay"><input id="payment_method_payrelay" type="radio"'
            . ' class="input-radio" name="payment_method" value="payrelay" checked="checked" /><label'
            . ' for="payment_method_payrelay">' . esc_html($gateway->title) . '</label><div class="payment_box'
            . ' payment_method_payrelay">' . $fields . '</div></li>';
    }
    $items .= '<li class="wc_payment_method payment_method_cod"><input id="payment_method_cod" type="radio"'
        . ' class="input-radio" name="payment_method" value="cod"' . ($available ? '' : ' checked="checked"') . ' />'
        . '<label for="payment_method_cod">Cash on delivery</label><div class="payment_box payment_method_cod">'
        . '<p>Pay with cash upon delivery.</p></div></li>';
    $name = (string) $scenario['name'];
    $html = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout: ' . esc_html($name)
        . '</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;color:#1e1e1e}'
        . '.wc_payment_methods{list-style:none;padding:0}.wc_payment_method{padding:.6rem 0;border-top:1px solid #ddd}'
        . '.payment_box{margin:.4rem 0 0 1.6rem;padding:.6rem 1rem;background:#f6f7f7}'
        . 'fieldset{border:0;padding:0}</style></head><body><h1>Checkout</h1><p class="cart">Billing country: '
        . esc_html((string) $scenario['country']) . ', total &euro;' . esc_html((string) $scenario['total']) . '</p>'
        . '<form class="checkout woocommerce-checkout"><div id="payment" class="woocommerce-checkout-payment">'
        . '<ul class="wc_payment_methods payment_methods methods">' . $items . '</ul></div></form></body></html>';
    file_put_contents($out . '/' . $name . '.html', $html);
    $index[] = [
        'file' => $name . '.html',
        'name' => $name,
        'available' => $available,
        'relay_requests' => array_map(static fn (array $r): string => $r['url'], PayrelayTestState::$http_requests),
    ];
}
file_put_contents($out . '/index.json', json_encode($index, JSON_PRETTY_PRINT));
echo count($index) . " pages\n";
