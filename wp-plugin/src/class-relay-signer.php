<?php

namespace Payrelay;

defined('ABSPATH') || exit;

/**
 * The shop's request signature, the same scheme as the relay's relay/src/http/request-signature.ts
 * (see shared/request-signing.md): `v1=` hex HMAC-SHA256(secret, "<timestamp>.<METHOD>.<path with query>.<raw body>").
 * Binding method and path means a signature for one endpoint cannot be replayed on another.
 */
final class RelaySigner
{
    public static function sign(
        string $secret,
        int $timestamp,
        string $method,
        string $path_with_query,
        string $body
    ): string {
        $message = $timestamp . '.' . strtoupper($method) . '.' . $path_with_query . '.' . $body;
        return 'v1=' . hash_hmac('sha256', $message, $secret);
    }
}
