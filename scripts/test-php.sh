#!/usr/bin/env bash
# PHP side of `npm test`: php -l on every plugin file, PHP_CodeSniffer (wp-plugin/phpcs.xml.dist), PHPUnit, and a
# config check of docker-compose.wordpress.yml. Fails on the first tool that fails; a missing tool is a failure too,
# because a green run that skipped the plugin would be a lie (.ci/run installs them).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in php phpcs phpunit; do
  if ! command -v "$tool" >/dev/null; then
    echo "test-php: '$tool' is not installed (Debian: apt-get install php-cli php-xml php-mbstring phpunit php-codesniffer)" >&2
    exit 1
  fi
done

echo "== php -l"
count=0
while IFS= read -r -d '' file; do
  php -l "$file" >/dev/null || { php -l "$file"; exit 1; }
  count=$((count + 1))
done < <(find wp-plugin -name '*.php' -print0)
echo "php -l: $count files, no syntax errors"

echo "== phpcs"
(cd wp-plugin && phpcs -q --standard=phpcs.xml.dist --report=summary --report-width=120 && echo "phpcs: clean")

echo "== phpunit"
(cd wp-plugin && phpunit -c phpunit.xml.dist --colors=never)

if command -v docker-compose >/dev/null; then
  echo "== docker-compose config"
  PAYRELAY_SHOP_SECRET=ci_only_shop_secret_0123456789 SANDBOX_WEBHOOK_SECRET=ci_only_sandbox_secret_0123 docker-compose -f docker-compose.wordpress.yml config -q
  # Without its secrets the file must refuse to start, naming them (no public default may sign webhooks).
  if env -u PAYRELAY_SHOP_SECRET -u SANDBOX_WEBHOOK_SECRET docker-compose -f docker-compose.wordpress.yml config -q 2>/dev/null; then
    echo "docker-compose.wordpress.yml: starts without PAYRELAY_SHOP_SECRET / SANDBOX_WEBHOOK_SECRET" >&2
    exit 1
  fi
  echo "docker-compose.wordpress.yml: valid"
else
  echo "docker-compose not installed: compose file not validated"
fi
