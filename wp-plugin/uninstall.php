<?php

/**
 * Removes the plugin's own options. Order meta (session ids, providers) stays: it is part of each order's history.
 */

defined('WP_UNINSTALL_PLUGIN') || exit;

delete_option('woocommerce_payrelay_settings');
// The background relay check's stored answer and schedule (src/admin/class-relay-health.php).
delete_option('payrelay_relay_health');
wp_clear_scheduled_hook('payrelay_relay_health');
