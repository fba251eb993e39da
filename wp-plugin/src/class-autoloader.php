<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * Maps `Payrelay\Admin\TimelineBox` to `src/admin/class-timeline-box.php` (WordPress file naming, PSR-4 classes).
 */
final class Autoloader
{
    private const PREFIX = 'Payrelay\\';

    public static function register(string $base_dir): void
    {
        spl_autoload_register(static function (string $class) use ($base_dir): void {
            $file = self::file_for($class, $base_dir);
            if ($file !== null && is_readable($file)) {
                require_once $file;
            }
        });
    }

    public static function file_for(string $class, string $base_dir): ?string
    {
        if (strncmp($class, self::PREFIX, strlen(self::PREFIX)) !== 0) {
            return null;
        }
        $parts = explode('\\', substr($class, strlen(self::PREFIX)));
        $name = array_pop($parts);
        $kebab = strtolower((string) preg_replace('/(?<=[a-z0-9])(?=[A-Z])/', '-', $name));
        $dirs = array_map('strtolower', $parts);
        return rtrim($base_dir, '/') . '/' . implode('/', [...$dirs, 'class-' . $kebab . '.php']);
    }
}
