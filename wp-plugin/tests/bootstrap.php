<?php

/**
 * PHPUnit bootstrap: WordPress and WooCommerce test doubles, then the plugin's own autoloader (as in production).
 */

define('ABSPATH', __DIR__ . '/');

require_once __DIR__ . '/doubles/class-test-state.php';
require_once __DIR__ . '/doubles/wordpress.php';
require_once __DIR__ . '/doubles/woocommerce.php';
require_once __DIR__ . '/doubles/store-api.php';
require_once __DIR__ . '/unit/class-test-case.php';
require_once dirname(__DIR__) . '/src/class-autoloader.php';

\Payrelay\Autoloader::register(dirname(__DIR__) . '/src');
