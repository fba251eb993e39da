<?php

namespace Payrelay\Tests;

/** readme.txt in the WordPress.org format, agreeing with the plugin header. */
final class ReadmeTest extends TestCase
{
    public function test_readme_has_the_fields_a_reviewer_expects_and_matches_the_header(): void
    {
        $readme = (string) file_get_contents(dirname(__DIR__, 2) . '/readme.txt');
        $header = (string) file_get_contents(dirname(__DIR__, 2) . '/payrelay.php');
        $this->assertMatchesRegularExpression('/^=== Payrelay for WooCommerce ===$/m', $readme);
        preg_match('/^\s*\*\s*Version:\s*(\S+)/m', $header, $version);
        preg_match('/^\s*\*\s*Requires at least:\s*(\S+)/m', $header, $wp);
        preg_match('/^\s*\*\s*Requires PHP:\s*(\S+)/m', $header, $php);
        $this->assertMatchesRegularExpression('/^Stable tag: ' . preg_quote($version[1], '/') . '$/m', $readme);
        $this->assertMatchesRegularExpression('/^Requires at least: ' . preg_quote($wp[1], '/') . '$/m', $readme);
        $this->assertMatchesRegularExpression('/^Requires PHP: ' . preg_quote($php[1], '/') . '$/m', $readme);
        $this->assertMatchesRegularExpression('/^Tested up to: \d+\.\d+$/m', $readme);
        $this->assertMatchesRegularExpression('/^License: GPLv2 or later$/m', $readme);
        foreach (['Description', 'Installation', 'Frequently Asked Questions', 'Changelog'] as $section) {
            $this->assertStringContainsString("== $section ==", $readme);
        }
        $this->assertStringContainsString('= ' . $version[1] . ' =', substr($readme, (int) strpos($readme, '== Changelog ==')));
        // The short description: one line, at most 150 characters, right after the header block.
        $this->assertMatchesRegularExpression('/\n\n(.{10,150})\n\n== Description ==/', $readme);
    }
}
