<?php

/**
 * Removes the plugin's own options. Order meta (session ids, providers) stays: it is part of each order's history.
 */

defined('WP_UNINSTALL_PLUGIN') || exit;

delete_option('woocommerce_payrelay_settings');
