<?php

namespace Payrelay\Admin;

use Payrelay\RelayClient;

defined('ABSPATH') || exit;

/**
 * A staging copy of the shop keeps the live relay URL and secret in its settings. The relay refuses its session
 * requests (it serves only its own shop); this notice tells the copy's admin why, on the gateway settings page,
 * in the relay's words: "this relay serves https://shop.example; this site is https://staging.shop.example".
 */
final class SiteCheck
{
    /** The answer is kept for a while: the settings page should not call the relay on every load. */
    private const CACHE_SECONDS = 600;
    private const TRANSIENT = 'payrelay_site_check';

    public function __construct(private RelayClient $client)
    {
    }

    /** admin_notices: only on the Payrelay settings screen, only for people who manage the shop. */
    public function render_notice(): void
    {
        if (!current_user_can('manage_woocommerce') || !self::on_settings_screen()) {
            return;
        }
        $this->print_notice();
    }

    public function notice_html(): string
    {
        ob_start();
        $this->print_notice();
        return (string) ob_get_clean();
    }

    /** Escaped where it is printed. */
    private function print_notice(): void
    {
        $message = $this->mismatch_message();
        if ($message === '') {
            return;
        }
        echo '<div class="notice notice-error"><p><strong>'
            . esc_html__('Payrelay is refusing this site:', 'payrelay') . '</strong> '
            . esc_html($message) . '</p></div>';
    }

    /** The relay's sentence when it serves another site; '' when it serves this one or was not reached. */
    public function mismatch_message(): string
    {
        $cache_key = self::TRANSIENT . '_' . md5(home_url());
        $cached = get_transient($cache_key);
        if (is_string($cached)) {
            return $cached;
        }
        $result = $this->client->site_check();
        if (!$result->ok) {
            // Unreachable or refused secret: the diagnostics section explains those; nothing cached, ask again.
            return '';
        }
        $message = empty($result->data['ok']) && isset($result->data['message']) && is_string($result->data['message'])
            ? $result->data['message']
            : '';
        set_transient($cache_key, $message, self::CACHE_SECONDS);
        return $message;
    }

    private static function on_settings_screen(): bool
    {
        // phpcs:disable WordPress.Security.NonceVerification.Recommended -- reading which screen this is, nothing changes
        $page = isset($_GET['page']) ? sanitize_key(wp_unslash($_GET['page'])) : '';
        $section = isset($_GET['section']) ? sanitize_key(wp_unslash($_GET['section'])) : '';
        // phpcs:enable
        return $page === 'wc-settings' && $section === \Payrelay\Contract::GATEWAY_ID;
    }
}
