<?php

/**
 * Writes wp-plugin/languages/payrelay.pot from the plugin's PHP source, as `wp i18n make-pot` would (wp-cli is not
 * installed here): every __(), _e(), _n(), _x(), esc_html__(), esc_html_e(), esc_attr__(), esc_attr_e() call with the
 * text domain "payrelay", with its file:line references and its "translators:" comment.
 *
 *   php scripts/make-pot.php            # writes the file
 *   php scripts/make-pot.php --check    # exits 1 when the file is not what the source gives
 */

const PAYRELAY_POT_DOMAIN = 'payrelay';
/** function => [index of msgid, index of plural or null, index of context or null, index of domain] */
const PAYRELAY_POT_FUNCTIONS = [
    '__' => [0, null, null, 1],
    '_e' => [0, null, null, 1],
    'esc_html__' => [0, null, null, 1],
    'esc_html_e' => [0, null, null, 1],
    'esc_attr__' => [0, null, null, 1],
    'esc_attr_e' => [0, null, null, 1],
    '_x' => [0, null, 1, 2],
    'esc_html_x' => [0, null, 1, 2],
    '_n' => [0, 1, null, 3],
];

/**
 * @return array<string, array{msgid: string, plural: ?string, context: ?string, refs: string[], comments: string[]}>
 */
function payrelay_pot_entries(string $plugin_dir): array
{
    $files = [];
    $iterator = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($plugin_dir, FilesystemIterator::SKIP_DOTS));
    foreach ($iterator as $file) {
        $relative = substr($file->getPathname(), strlen(rtrim($plugin_dir, '/')) + 1);
        if ($file->isFile() && str_ends_with($relative, '.php') && !str_starts_with($relative, 'tests/')) {
            $files[] = $relative;
        }
    }
    sort($files);
    $entries = [];
    foreach ($files as $relative) {
        $tokens = token_get_all((string) file_get_contents($plugin_dir . '/' . $relative));
        $comment = null;
        $count = count($tokens);
        for ($i = 0; $i < $count; $i++) {
            $token = $tokens[$i];
            if (is_array($token) && in_array($token[0], [T_COMMENT, T_DOC_COMMENT], true)) {
                if (preg_match('/translators:\s*(.*?)\s*(\*\/)?$/s', $token[1], $m)) {
                    $comment = trim(preg_replace('/\s*\n\s*\*?\s*/', ' ', $m[1]));
                }
                continue;
            }
            if (!is_array($token) || $token[0] !== T_STRING || !isset(PAYRELAY_POT_FUNCTIONS[$token[1]])) {
                if (is_array($token) && $token[0] === T_WHITESPACE) {
                    continue;
                }
                // A translators comment belongs to the next call only if nothing but code of the call follows.
                if ($token === ';') {
                    $comment = null;
                }
                continue;
            }
            $j = $i + 1;
            while (isset($tokens[$j]) && is_array($tokens[$j]) && $tokens[$j][0] === T_WHITESPACE) {
                $j++;
            }
            if (($tokens[$j] ?? null) !== '(') {
                continue;
            }
            $args = payrelay_pot_arguments($tokens, $j + 1);
            [$id_at, $plural_at, $context_at, $domain_at] = PAYRELAY_POT_FUNCTIONS[$token[1]];
            if (($args[$domain_at] ?? null) !== PAYRELAY_POT_DOMAIN || !is_string($args[$id_at] ?? null)) {
                continue;
            }
            $msgid = $args[$id_at];
            $plural = $plural_at === null ? null : ($args[$plural_at] ?? null);
            $context = $context_at === null ? null : ($args[$context_at] ?? null);
            $key = ($context ?? '') . "\x04" . $msgid;
            $entries[$key] ??= ['msgid' => $msgid, 'plural' => $plural, 'context' => $context, 'refs' => [], 'comments' => []];
            $entries[$key]['refs'][] = $relative . ':' . $token[2];
            if ($comment !== null && !in_array($comment, $entries[$key]['comments'], true)) {
                $entries[$key]['comments'][] = $comment;
            }
            $comment = null;
        }
    }
    return $entries;
}

/**
 * The call's arguments: a string for each argument made only of string literals (joined by "."), null otherwise.
 *
 * @param array<int, mixed> $tokens
 * @return array<int, ?string>
 */
function payrelay_pot_arguments(array $tokens, int $from): array
{
    $args = [];
    $current = '';
    $literal = true;
    $depth = 0;
    for ($i = $from; isset($tokens[$i]); $i++) {
        $token = $tokens[$i];
        $text = is_array($token) ? $token[1] : $token;
        if (is_array($token) && in_array($token[0], [T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true)) {
            continue;
        }
        if ($depth === 0 && ($text === ',' || $text === ')')) {
            $args[] = $literal && $current !== '' ? $current : null;
            $current = '';
            $literal = true;
            if ($text === ')') {
                break;
            }
            continue;
        }
        if ($text === '(' || $text === '[') {
            $depth++;
        } elseif ($text === ')' || $text === ']') {
            $depth--;
        }
        if ($depth === 0 && is_array($token) && $token[0] === T_CONSTANT_ENCAPSED_STRING) {
            $current .= payrelay_pot_unquote($text);
        } elseif (!($depth === 0 && $text === '.')) {
            $literal = false;
        }
    }
    return $args;
}

function payrelay_pot_unquote(string $literal): string
{
    $body = substr($literal, 1, -1);
    if ($literal[0] === "'") {
        return str_replace(["\\'", '\\\\'], ["'", '\\'], $body);
    }
    return stripcslashes($body);
}

function payrelay_pot_quote(string $text): string
{
    return '"' . str_replace(['\\', '"', "\n", "\t"], ['\\\\', '\\"', '\\n', '\\t'], $text) . '"';
}

/**
 * @param array<string, array{msgid: string, plural: ?string, context: ?string, refs: string[], comments: string[]}> $entries
 */
function payrelay_pot_render(array $entries, string $version): string
{
    $out = "# Copyright (C) Payrelay\n"
        . "# This file is distributed under the GPL-2.0-or-later.\n"
        . "# Generated by scripts/make-pot.php from the plugin's source; do not edit.\n"
        . "msgid \"\"\n"
        . "msgstr \"\"\n"
        . "\"Project-Id-Version: Payrelay for WooCommerce $version\\n\"\n"
        . "\"Report-Msgid-Bugs-To: \\n\"\n"
        . "\"PO-Revision-Date: YEAR-MO-DA HO:MI+ZONE\\n\"\n"
        . "\"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n\"\n"
        . "\"Language-Team: LANGUAGE <LL@li.org>\\n\"\n"
        . "\"Language: \\n\"\n"
        . "\"MIME-Version: 1.0\\n\"\n"
        . "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
        . "\"Content-Transfer-Encoding: 8bit\\n\"\n"
        . "\"X-Domain: payrelay\\n\"\n";
    foreach ($entries as $entry) {
        $out .= "\n";
        foreach ($entry['comments'] as $comment) {
            $out .= '#. translators: ' . $comment . "\n";
        }
        $out .= '#: ' . implode(' ', $entry['refs']) . "\n";
        if (str_contains($entry['msgid'], '%')) {
            $out .= "#, php-format\n";
        }
        if ($entry['context'] !== null) {
            $out .= 'msgctxt ' . payrelay_pot_quote($entry['context']) . "\n";
        }
        $out .= 'msgid ' . payrelay_pot_quote($entry['msgid']) . "\n";
        if ($entry['plural'] !== null) {
            $out .= 'msgid_plural ' . payrelay_pot_quote($entry['plural']) . "\n"
                . "msgstr[0] \"\"\nmsgstr[1] \"\"\n";
        } else {
            $out .= "msgstr \"\"\n";
        }
    }
    return $out;
}

/**
 * The pot without its file:line references: a line moving in the source does not make the file out of date, a
 * string added, changed or removed does.
 */
function payrelay_pot_without_references(string $pot): string
{
    return (string) preg_replace('/^#: .*\n/m', '', $pot);
}

function payrelay_pot_build(string $plugin_dir): string
{
    $header = (string) file_get_contents($plugin_dir . '/payrelay.php');
    $version = preg_match('/^\s*\*\s*Version:\s*(\S+)/m', $header, $m) ? $m[1] : '0.0.0';
    return payrelay_pot_render(payrelay_pot_entries($plugin_dir), $version);
}

if (PHP_SAPI === 'cli' && isset($argv[0]) && realpath($argv[0]) === __FILE__) {
    $plugin_dir = dirname(__DIR__) . '/wp-plugin';
    $target = $plugin_dir . '/languages/payrelay.pot';
    $pot = payrelay_pot_build($plugin_dir);
    if (in_array('--check', $argv, true)) {
        $current = (string) @file_get_contents($target);
        if (payrelay_pot_without_references($current) !== payrelay_pot_without_references($pot)) {
            fwrite(STDERR, "make-pot: $target is out of date; run php scripts/make-pot.php\n");
            exit(1);
        }
        echo "make-pot: $target is up to date\n";
        exit(0);
    }
    file_put_contents($target, $pot);
    echo 'make-pot: wrote ' . substr_count($pot, "\nmsgid ") . " strings to $target\n";
}
