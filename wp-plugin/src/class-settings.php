<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * The gateway's saved settings (option `woocommerce_payrelay_settings`), read once and passed in.
 */
final class Settings
{
    public const OPTION = 'woocommerce_payrelay_settings';
    public const METHODS = ['card', 'bank_transfer', 'wallet', 'crypto'];

    /**
     * @param string[] $methods
     */
    public function __construct(
        public readonly bool $enabled,
        public readonly string $relay_url,
        public readonly string $shop_secret,
        public readonly string $title,
        public readonly string $description,
        public readonly array $methods,
        public readonly bool $debug,
        /** On a relay serving many shops, the id it knows this shop by (sent as X-Payrelay-Shop); '' on its own relay. */
        public readonly string $shop_id = '',
    ) {
    }

    public static function load(): self
    {
        $saved = get_option(self::OPTION, []);
        return self::from_array(is_array($saved) ? $saved : []);
    }

    /**
     * @param array<string, mixed> $saved
     */
    public static function from_array(array $saved): self
    {
        $methods = isset($saved['methods']) && is_array($saved['methods']) ? $saved['methods'] : self::METHODS;
        return new self(
            ($saved['enabled'] ?? 'no') === 'yes',
            rtrim((string) ($saved['relay_url'] ?? ''), '/'),
            (string) ($saved['shop_secret'] ?? ''),
            (string) ($saved['title'] ?? ''),
            (string) ($saved['description'] ?? ''),
            array_values(array_intersect(self::METHODS, array_map('strval', $methods))),
            ($saved['debug'] ?? 'no') === 'yes',
            trim((string) ($saved['shop_id'] ?? '')),
        );
    }

    public static function method_label(string $method): string
    {
        switch ($method) {
            case 'card':
                return __('Card', 'payrelay');
            case 'bank_transfer':
                return __('Bank transfer', 'payrelay');
            case 'wallet':
                return __('Wallet', 'payrelay');
            case 'crypto':
                return __('Crypto', 'payrelay');
            default:
                return __('Any method', 'payrelay');
        }
    }
}
