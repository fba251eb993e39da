<?php

namespace Payrelay\Tests;

use Payrelay\Money;

/**
 * The plugin reads the same currency table as the relay, and converts the shared test vectors the same way
 * (test/unit/domain/currency-table.test.ts reads the same vectors on the relay side).
 */
final class CurrencyTableTest extends TestCase
{
    public function test_the_plugin_copy_equals_shared_currencies_json(): void
    {
        $this->assertSame(
            (string) file_get_contents(self::shared_file('currencies.json')),
            (string) file_get_contents(dirname(__DIR__, 2) . '/data/currencies.json'),
            'copy shared/currencies.json to wp-plugin/data/currencies.json (npm run currencies writes both)'
        );
    }

    /** @return array<string, array{string, string, int}> */
    public static function amounts(): array
    {
        $vectors = json_decode((string) file_get_contents(self::shared_file('currency-vectors.json')), true);
        $cases = [];
        foreach ($vectors['amounts'] as $vector) {
            $cases[$vector['decimal'] . ' ' . $vector['currency']] = [$vector['decimal'], $vector['currency'], $vector['minor']];
        }
        return $cases;
    }

    /**
     * @dataProvider amounts
     */
    public function test_order_totals_become_the_relay_amount(string $total, string $currency, int $minor): void
    {
        $this->assertSame($minor, Money::to_minor($total, $currency));
        $this->assertSame($minor, Money::to_minor((float) $total, strtolower($currency)));
    }

    public function test_mga_has_two_decimals_as_the_relay_says(): void
    {
        $this->assertSame(2, Money::minor_units('MGA'));
        $this->assertSame(10000, Money::to_minor('100.00', 'MGA'));
    }

    public function test_codes_outside_iso_4217_have_no_exponent(): void
    {
        $vectors = json_decode((string) file_get_contents(self::shared_file('currency-vectors.json')), true);
        foreach ($vectors['not_iso_4217'] as $code) {
            $this->assertNull(Money::minor_units($code), $code);
        }
    }
}
