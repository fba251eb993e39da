<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * The outcome of one relay call. Expected failures (relay down, 4xx, a malformed answer) are values with a stable
 * code, never exceptions, so every caller has to decide what the shopper and the merchant see.
 */
final class RelayResult
{
    /**
     * @param array<string, mixed> $data
     * @param string[] $details
     * @param int|null $retry_after seconds the relay (or a proxy before it) said to wait before asking again
     */
    private function __construct(
        public readonly bool $ok,
        public readonly int $http_status,
        public readonly array $data,
        public readonly string $error_code,
        public readonly string $error_message,
        public readonly array $details,
        public readonly ?int $retry_after = null,
    ) {
    }

    /**
     * @param array<string, mixed> $data
     */
    public static function success(int $http_status, array $data): self
    {
        return new self(true, $http_status, $data, '', '', []);
    }

    /**
     * @param string[] $details
     */
    public static function failure(
        int $http_status,
        string $code,
        string $message,
        array $details = [],
        ?int $retry_after = null
    ): self {
        return new self(false, $http_status, [], $code, $message, $details, $retry_after);
    }

    /** The merchant's half of the error: code, message and every detail, for notes and logs. */
    public function describe(): string
    {
        $text = $this->error_code . ': ' . $this->error_message;
        if ($this->http_status > 0) {
            $text .= ' (HTTP ' . $this->http_status . ')';
        }
        // The relay often names the reasons in its message too ("No provider can take … (Mollie: not configured)"):
        // each is said once.
        $details = array_values(array_filter(
            $this->details,
            fn (string $detail): bool => !str_contains($this->error_message, $detail)
        ));
        if ($details !== []) {
            $text .= ' - ' . implode('; ', $details);
        }
        return $text;
    }
}
