<?php

namespace Payrelay\Tests;

use Payrelay\Contract;
use Payrelay\ShopperMessages;

final class ContractTest extends TestCase
{
    public function test_the_plugin_copy_equals_shared_contract_json(): void
    {
        $shared = json_decode((string) file_get_contents(self::shared_file('contract.json')), true);
        $this->assertIsArray($shared);
        $this->assertSame($shared, Contract::DATA, 'update src/class-contract.php (and ShopperMessages) from shared/contract.json');
    }

    public function test_translatable_shopper_messages_equal_the_contract(): void
    {
        foreach (Contract::DATA['statuses'] as $status => $entry) {
            $this->assertSame($entry['shopper_message'], ShopperMessages::for_status($status), $status);
        }
    }

    public function test_gateway_id_and_text_domain(): void
    {
        $this->assertSame(Contract::DATA['gateway_id'], Contract::GATEWAY_ID);
        $this->assertSame('payrelay', Contract::DATA['text_domain']);
    }

    public function test_retryable_statuses_are_final_contract_statuses(): void
    {
        foreach (Contract::RETRYABLE_STATUSES as $status) {
            $this->assertTrue(Contract::is_final($status), $status);
        }
    }
}
