<?php

namespace Payrelay\Admin;

use Payrelay\RelayClient;
use Payrelay\RelayProblems;
use Payrelay\RelayResult;

defined('ABSPATH') || exit;

/**
 * Whether the relay answers this shop, checked in the background (WP-cron, every five minutes) and never on a page
 * load: admin pages only read the stored answer. After OUTAGE_SECONDS of a relay that cannot be reached or refuses
 * the shop secret, wp-admin shows a notice and the gateway is no longer offered at checkout (shoppers choose
 * another method instead of meeting an error). A stored answer older than STALE_SECONDS (cron not running) is not
 * trusted either way.
 */
final class RelayHealth
{
    public const CRON_HOOK = 'payrelay_relay_health';
    public const CRON_SCHEDULE = 'payrelay_five_minutes';
    public const OPTION = 'payrelay_relay_health';
    public const OUTAGE_SECONDS = 600;
    public const STALE_SECONDS = 1800;

    /** @var callable(): int */
    private $now;

    /**
     * @param (callable(): int)|null $now unix seconds, injected for tests
     */
    public function __construct(private RelayClient $client, ?callable $now = null)
    {
        $this->now = $now ?? 'time';
    }

    /**
     * `cron_schedules`
     *
     * @param mixed $schedules
     * @return array<string, mixed>
     */
    public static function add_schedule($schedules): array
    {
        $schedules = is_array($schedules) ? $schedules : [];
        $schedules[self::CRON_SCHEDULE] = [
            'interval' => 300,
            'display' => __('Every five minutes (Payrelay relay check)', 'payrelay'),
        ];
        return $schedules;
    }

    /** On `init`: reads WordPress's cron array only, no relay call. */
    public static function ensure_scheduled(): void
    {
        if (!wp_next_scheduled(self::CRON_HOOK)) {
            wp_schedule_event(time() + 60, self::CRON_SCHEDULE, self::CRON_HOOK);
        }
    }

    /** The cron job: one signed ping. */
    public function run(): void
    {
        $this->record($this->client->ping());
    }

    /**
     * Also fed by the diagnostics screen's ping, so fixing the settings clears the notice at once.
     */
    public function record(RelayResult $ping): void
    {
        $now = (int) call_user_func($this->now);
        if ($ping->ok || (!RelayProblems::is_outage($ping) && $ping->error_code !== 'not_configured')) {
            update_option(self::OPTION, ['checked_at' => $now, 'failing_since' => 0], false);
            return;
        }
        $saved = self::saved();
        $since = $saved['failing_since'] > 0 ? $saved['failing_since'] : $now;
        update_option(self::OPTION, [
            'checked_at' => $now,
            'failing_since' => $since,
            'code' => $ping->error_code,
            'sentence' => RelayProblems::sentence($ping),
            'detail' => $ping->describe(),
        ], false);
    }

    /**
     * @return array{checked_at: int, failing_since: int, code: string, sentence: string, detail: string}
     */
    private static function saved(): array
    {
        $saved = get_option(self::OPTION, []);
        $saved = is_array($saved) ? $saved : [];
        return [
            'checked_at' => (int) ($saved['checked_at'] ?? 0),
            'failing_since' => (int) ($saved['failing_since'] ?? 0),
            'code' => (string) ($saved['code'] ?? ''),
            'sentence' => (string) ($saved['sentence'] ?? ''),
            'detail' => (string) ($saved['detail'] ?? ''),
        ];
    }

    /** Down for longer than OUTAGE_SECONDS, by a recent check. */
    public function is_down(): bool
    {
        $saved = self::saved();
        $now = (int) call_user_func($this->now);
        return $saved['failing_since'] > 0
            && $now - $saved['checked_at'] <= self::STALE_SECONDS
            && $now - $saved['failing_since'] >= self::OUTAGE_SECONDS;
    }

    /** `admin_notices` */
    public function notice(): void
    {
        if (!current_user_can('manage_woocommerce') || !$this->is_down()) {
            return;
        }
        $saved = self::saved();
        $minutes = (int) floor(((int) call_user_func($this->now) - $saved['failing_since']) / 60);
        $settings = admin_url('admin.php?page=wc-settings&tab=checkout&section=payrelay');
        ?>
        <div class="notice notice-error payrelay-relay-down">
            <p><strong><?php esc_html_e('Payrelay cannot take payments right now.', 'payrelay'); ?></strong>
            <?php
            echo esc_html(sprintf(
                /* translators: 1: minutes, 2: what is wrong */
                _n(
                    'For %1$d minute %2$s. Payrelay is not offered at checkout until this is fixed.',
                    'For %1$d minutes %2$s. Payrelay is not offered at checkout until this is fixed.',
                    $minutes,
                    'payrelay'
                ),
                $minutes,
                $saved['sentence']
            ));
            ?>
            <a href="<?php echo esc_url($settings); ?>"><?php
                esc_html_e('Payrelay settings and diagnostics', 'payrelay');
            ?></a></p>
            <p class="description"><?php
                /* translators: %s: error code and details for developers */
                echo esc_html(sprintf(__('Detail: %s', 'payrelay'), $saved['detail']));
            ?></p>
        </div>
        <?php
    }
}
