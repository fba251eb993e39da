#!/usr/bin/env bash
# PHP side of `npm test`: filled in by the plugin work (phpunit, php -l, phpcs).
set -euo pipefail
echo "php: no plugin tests yet"
