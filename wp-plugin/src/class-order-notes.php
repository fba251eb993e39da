<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * Notes that must not repeat: a check or a hold-stock decision that finds what the last one found adds nothing.
 * The last fingerprint per topic lives in one order meta (HPOS-safe, through the order API).
 */
final class OrderNotes
{
    public const META_KEY = '_payrelay_note_fingerprints';

    /**
     * @param string $topic e.g. "check", "hold_stock"
     * @param string $fingerprint what the note says, reduced to what matters (statuses, not times)
     * @return bool whether the note was added
     */
    public static function add_unless_repeated(\WC_Order $order, string $topic, string $fingerprint, string $note): bool
    {
        $saved = json_decode((string) $order->get_meta(self::META_KEY), true);
        $saved = is_array($saved) ? $saved : [];
        if (($saved[$topic] ?? null) === $fingerprint) {
            return false;
        }
        $saved[$topic] = $fingerprint;
        $order->update_meta_data(self::META_KEY, (string) wp_json_encode($saved));
        $order->add_order_note($note);
        $order->save();
        return true;
    }

    /**
     * What the last note of a topic was about, for telling what changed since.
     */
    public static function last(\WC_Order $order, string $topic): ?string
    {
        $saved = json_decode((string) $order->get_meta(self::META_KEY), true);
        return is_array($saved) && isset($saved[$topic]) && is_string($saved[$topic]) ? $saved[$topic] : null;
    }
}
