<?php

/**
 * Plugin Name:       Payrelay for WooCommerce
 * Description:       Hosted checkout through your Payrelay relay, with each payment's story on the order screen.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            Payrelay
 * License:           GPL-2.0-or-later
 * Text Domain:       payrelay
 * Domain Path:       /languages
 * WC requires at least: 8.0
 * WC tested up to:   8.9
 */

defined('ABSPATH') || exit;

define('PAYRELAY_VERSION', '0.1.0');
define('PAYRELAY_PLUGIN_FILE', __FILE__);

// No composer at run time: a shop owner uploads a zip, so the plugin carries its own autoloader.
require_once __DIR__ . '/src/class-autoloader.php';
\Payrelay\Autoloader::register(__DIR__ . '/src');

register_deactivation_hook(__FILE__, [\Payrelay\Plugin::class, 'deactivate']);
(new \Payrelay\Plugin(__FILE__, PAYRELAY_VERSION))->register_hooks();
