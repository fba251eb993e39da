<?php

namespace Payrelay\Tests;

/**
 * languages/payrelay.pot is generated from the source (scripts/make-pot.php) and kept up to date, and every
 * translatable string with the plugin's text domain is in it.
 */
final class PotTest extends TestCase
{
    private static function plugin_dir(): string
    {
        return dirname(__DIR__, 2);
    }

    private static function pot(): string
    {
        return (string) file_get_contents(self::plugin_dir() . '/languages/payrelay.pot');
    }

    public static function setUpBeforeClass(): void
    {
        require_once dirname(__DIR__, 3) . '/scripts/make-pot.php';
    }

    public function test_the_pot_file_is_what_the_source_gives(): void
    {
        // Strings, plurals and translator comments must match; file:line references may lag behind the source.
        $this->assertSame(
            payrelay_pot_without_references(payrelay_pot_build(self::plugin_dir())),
            payrelay_pot_without_references(self::pot()),
            'a translatable string is missing or stale: run npm run plugin:pot'
        );
    }

    public function test_every_string_with_the_text_domain_is_in_the_pot(): void
    {
        // Found here by a plain pattern, independently of the generator's tokenizer: single-line calls.
        $pot = self::pot();
        $found = 0;
        foreach (glob(self::plugin_dir() . '/src/{,admin/}*.php', GLOB_BRACE) ?: [] as $file) {
            preg_match_all(
                "/\\b(?:__|_e|esc_html__|esc_html_e|esc_attr__|esc_attr_e)\\(\\s*'((?:[^'\\\\]|\\\\.)*)'\\s*,\\s*'payrelay'\\s*\\)/",
                (string) file_get_contents($file),
                $matches
            );
            foreach ($matches[1] as $raw) {
                $msgid = str_replace(["\\'", '\\\\'], ["'", '\\'], $raw);
                $quoted = 'msgid "' . str_replace(['\\', '"'], ['\\\\', '\\"'], $msgid) . '"';
                $this->assertStringContainsString($quoted, $pot, basename($file) . ': ' . $msgid);
                $found++;
            }
        }
        $this->assertGreaterThan(100, $found);
    }

    public function test_strings_split_over_lines_plurals_and_translator_comments_are_kept(): void
    {
        $pot = self::pot();
        // Concatenated over two lines in the source.
        $this->assertStringContainsString('msgid "We could not start the payment because some order details were not accepted. Please check your billing details or choose another payment method."', $pot);
        $this->assertStringContainsString('msgid_plural "Checked %d Payrelay orders at the provider; see their notes."', $pot);
        $this->assertStringContainsString("#. translators: %d: order number\n#: src/admin/class-diagnostics.php:", $pot);
        $this->assertStringNotContainsString('tests/', $pot);
    }
}
