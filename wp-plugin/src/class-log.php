<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * Writes to WooCommerce's log (source "payrelay") when debug logging is on. Secrets, signatures and status tokens
 * are redacted: a log file gets shared in support threads.
 */
final class Log
{
    private const SENSITIVE_KEY = '/secret|signature|token|password|authorization|order_key/i';

    /**
     * @param string[] $secrets
     */
    public function __construct(private bool $enabled, private array $secrets = [])
    {
    }

    /**
     * @param array<string, mixed> $context
     */
    public function debug(string $message, array $context = []): void
    {
        $this->write('debug', $message, $context);
    }

    /**
     * @param array<string, mixed> $context
     */
    public function warning(string $message, array $context = []): void
    {
        $this->write('warning', $message, $context);
    }

    /**
     * @param array<string, mixed> $context
     */
    public function error(string $message, array $context = []): void
    {
        $this->write('error', $message, $context);
    }

    /**
     * @param array<string, mixed> $context
     */
    public function redact(string $message, array $context = []): string
    {
        $line = $message;
        if ($context !== []) {
            $line .= ' ' . (string) wp_json_encode($this->redact_context($context));
        }
        foreach ($this->secrets as $secret) {
            if ($secret !== '') {
                $line = str_replace($secret, '[redacted]', $line);
            }
        }
        return (string) preg_replace('/([?&]token=)[^&\s"]+/', '$1[redacted]', $line);
    }

    /**
     * @param array<string, mixed> $context
     */
    private function write(string $level, string $message, array $context): void
    {
        if (!$this->enabled || !function_exists('wc_get_logger')) {
            return;
        }
        wc_get_logger()->log($level, $this->redact($message, $context), ['source' => 'payrelay']);
    }

    /**
     * @param array<mixed> $context
     * @return array<mixed>
     */
    private function redact_context(array $context): array
    {
        foreach ($context as $key => $value) {
            if (is_string($key) && preg_match(self::SENSITIVE_KEY, $key)) {
                $context[$key] = '[redacted]';
            } elseif (is_array($value)) {
                $context[$key] = $this->redact_context($value);
            }
        }
        return $context;
    }
}
