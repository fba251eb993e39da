<?php

namespace Payrelay\Tests;

/**
 * What WordPress's own sniffs (WordPress.Security.EscapeOutput, ValidatedSanitizedInput, NonceVerification) would
 * check, for a plugin that cannot install them (no composer here): output is escaped where it is printed, and
 * request input is unslashed, sanitised and either nonce-checked or annotated with the reason it needs no nonce.
 */
final class SourceRulesTest extends TestCase
{
    /** Functions whose result may be printed as it is. */
    private const ESCAPERS = ['esc_html', 'esc_attr', 'esc_url', 'esc_html__', 'esc_attr__', 'wp_kses_post', 'wp_kses', 'absint'];
    private const SANITIZERS = ['sanitize_key', 'sanitize_text_field', 'absint'];

    /** @return array<string, array{0: string}> */
    public static function sources(): array
    {
        $files = [];
        $iterator = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator(dirname(__DIR__, 2) . '/src'));
        foreach ($iterator as $file) {
            if ($file->isFile() && str_ends_with($file->getFilename(), '.php')) {
                $files[basename(dirname($file->getPathname())) . '/' . $file->getFilename()] = [$file->getPathname()];
            }
        }
        ksort($files);
        return $files;
    }

    public function test_every_echo_prints_only_literals_and_escaped_values(): void
    {
        $echoes = 0;
        foreach (self::sources() as [$path]) {
            $echoes += $this->check_echoes($path);
        }
        $this->assertGreaterThan(20, $echoes, 'the scan found the echo statements');
    }

    public function test_request_input_is_unslashed_sanitised_and_nonce_checked_or_annotated(): void
    {
        $reads = 0;
        foreach (self::sources() as [$path]) {
            $reads += $this->check_input($path);
        }
        $this->assertGreaterThan(8, $reads, 'the scan found the request reads');
    }

    private function check_echoes(string $path): int
    {
        $found = 0;
        $tokens = token_get_all((string) file_get_contents($path));
        $count = count($tokens);
        for ($i = 0; $i < $count; $i++) {
            if (!is_array($tokens[$i]) || $tokens[$i][0] !== T_ECHO) {
                continue;
            }
            $line = $tokens[$i][2];
            $found++;
            foreach (self::operands($tokens, $i + 1) as $operand) {
                $this->assertTrue(self::is_safe($operand), sprintf(
                    '%s:%d echoes something not escaped where it is printed: %s',
                    basename($path),
                    $line,
                    implode('', array_map(static fn ($t) => is_array($t) ? $t[1] : $t, $operand))
                ));
            }
        }
        return $found;
    }

    private function check_input(string $path): int
    {
        $found = 0;
        $lines = file($path) ?: [];
        $source = implode('', $lines);
        $nonce_checked = str_contains($source, 'check_ajax_referer(') || str_contains($source, 'wp_verify_nonce(');
        $disabled = false;
        foreach ($lines as $index => $line) {
            if (str_contains($line, 'phpcs:disable WordPress.Security.NonceVerification')) {
                $disabled = true;
            } elseif (str_contains($line, 'phpcs:enable')) {
                $disabled = false;
            }
            if (str_contains(ltrim($line), '*') && str_starts_with(ltrim($line), '*')) {
                continue; // a doc comment
            }
            preg_match_all('/(\w+)\(\s*(\w+\()?\$_(POST|GET|REQUEST)\[/', $line, $uses, PREG_SET_ORDER);
            preg_match_all('/\$_(POST|GET|REQUEST)\[/', $line, $all);
            $checked = 0;
            foreach ($uses as $use) {
                $outer = $use[1];
                $inner = rtrim($use[2] ?? '', '(');
                if (in_array($outer, ['isset', 'empty'], true)) {
                    $checked++;
                    continue;
                }
                $this->assertSame('wp_unslash', $inner, basename($path) . ':' . ($index + 1) . ' reads input without wp_unslash');
                $this->assertContains($outer, self::SANITIZERS, basename($path) . ':' . ($index + 1) . ' reads input without sanitising it');
                $checked++;
            }
            $this->assertSame(count($all[0]), $checked, basename($path) . ':' . ($index + 1) . ' reads input directly');
            $found += count($all[0]);
            if ($all[0] !== [] && !$nonce_checked && !$disabled) {
                $this->assertStringContainsString(
                    'phpcs:ignore WordPress.Security.NonceVerification',
                    ($lines[$index - 1] ?? '') . $line,
                    basename($path) . ':' . ($index + 1) . ' reads input with no nonce check and no annotation saying why'
                );
            }
        }
        return $found;
    }

    /**
     * The echo statement's operands, split at top-level concatenation dots, up to ; or ?>.
     *
     * @param array<int, mixed> $tokens
     * @return array<int, array<int, mixed>>
     */
    private static function operands(array $tokens, int $from): array
    {
        $operands = [[]];
        $depth = 0;
        for ($i = $from; $i < count($tokens); $i++) {
            $token = $tokens[$i];
            $text = is_array($token) ? $token[1] : $token;
            if ($depth === 0 && ($text === ';' || (is_array($token) && $token[0] === T_CLOSE_TAG))) {
                break;
            }
            if (is_array($token) && in_array($token[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true)) {
                continue;
            }
            if ($text === '(' || $text === '[') {
                $depth++;
            } elseif ($text === ')' || $text === ']') {
                $depth--;
            }
            if ($depth === 0 && $text === '.') {
                $operands[] = [];
                continue;
            }
            $operands[count($operands) - 1][] = $token;
        }
        return $operands;
    }

    /**
     * @param array<int, mixed> $operand
     */
    private static function is_safe(array $operand): bool
    {
        if (count($operand) === 1 && is_array($operand[0]) && $operand[0][0] === T_CONSTANT_ENCAPSED_STRING) {
            return true;
        }
        $first = $operand[0] ?? null;
        $second = $operand[1] ?? null;
        $last = $operand[count($operand) - 1] ?? null;
        return is_array($first) && $first[0] === T_STRING && in_array($first[1], self::ESCAPERS, true)
            && $second === '(' && $last === ')';
    }
}
