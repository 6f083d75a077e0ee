#!/usr/bin/env bash
# The shop binary as an operator uses it: --version, --help, config errors, migrate, seed,
# serve, and a graceful stop on SIGTERM that finishes the request in flight.
set -euo pipefail
shop="$1"
dir=$(mktemp -d)
pid=""
db=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    [ -n "$db" ] && psql -q "$SHOPTEST_POSTGRESQL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The second pass of scripts/test: the same commands against a scratch PostgreSQL database.
if [ -n "${SHOPTEST_POSTGRESQL:-}" ]; then
    db="shop_cli_$RANDOM$RANDOM"
    psql -q "$SHOPTEST_POSTGRESQL" -c "CREATE DATABASE $db" >/dev/null || fail "create database"
    export SHOP_DB_URL="${SHOPTEST_POSTGRESQL%/*}/$db"
fi

out=$(SHOP_DB_URL=postgresql://shop:s3cret-pw@db.internal:5432/shop "$shop" config)
grep -q 's3cret-pw' <<<"$out" && fail "shop config shows the database password"
grep -q 'postgresql://shop:\*\*\*@db.internal:5432/shop' <<<"$out" || fail "shop config does not show the redacted URL: $out"

"$shop" --version | grep -q '^shop ' || fail "--version"
"$shop" --help | grep -q '^Usage:' || fail "--help"
"$shop" serve --help | grep -q '^Usage: shop serve' || fail "serve --help"

out=$(SHOP_HTTP_BODYLIMIT=5 "$shop" migrate --data-dir "$dir" 2>&1) && fail "unknown env key accepted"
grep -q "SHOP_HTTP_BODYLIMIT" <<<"$out" || fail "unknown key not named: $out"
printf '{ "http": { "prot": 1 } }' > "$dir/bad.json"
out=$("$shop" migrate --config "$dir/bad.json" --data-dir "$dir" 2>&1) && fail "unknown file key accepted"
grep -q "http.prot" <<<"$out" || fail "unknown file key not named: $out"
printf '{ "payment": { "stripe": { "secret_key": "sk_test_in_a_file" } } }' > "$dir/secret.json"
out=$("$shop" migrate --config "$dir/secret.json" --data-dir "$dir" 2>&1) && fail "a Stripe secret in a config file was accepted"
grep -q "SHOP_PAYMENT_STRIPE_SECRET_KEY" <<<"$out" || fail "the refusal does not name the environment variable: $out"
grep -q "sk_test_in_a_file" <<<"$out" && fail "the refusal shows the secret: $out"
out=$(SHOP_PAYMENT_STRIPE_SECRET_KEY=sk_test_from_env "$shop" config)
grep -q "sk_test_from_env" <<<"$out" && fail "shop config shows the Stripe secret key"
printf '{ "mail": { "smtp": { "password": "smtp-pass-in-a-file" } } }' > "$dir/smtp.json"
out=$("$shop" migrate --config "$dir/smtp.json" --data-dir "$dir" 2>&1) && fail "an SMTP password in a config file was accepted"
grep -q "SHOP_MAIL_SMTP_PASSWORD" <<<"$out" || fail "the refusal does not name SHOP_MAIL_SMTP_PASSWORD: $out"
grep -q "smtp-pass-in-a-file" <<<"$out" && fail "the refusal shows the SMTP password: $out"
out=$(SHOP_MAIL_SMTP_PASSWORD=smtp-pass-from-env "$shop" config)
grep -q "smtp-pass-from-env" <<<"$out" && fail "shop config shows the SMTP password"

"$shop" migrate --data-dir "$dir/data" | grep -q "applied migrations" || fail "migrate"
"$shop" migrate --dry-run --data-dir "$dir/data" | grep -q "pending migrations: 0" || fail "migrate twice"
SHOP_LOG_LEVEL=warn "$shop" seed --data-dir "$dir/data" | grep -q "seeded products: 8" || fail "seed"

port=$((20000 + RANDOM % 20000))
SHOP_LOG_LEVEL=warn "$shop" serve --port "$port" --data-dir "$dir/data" &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
curl -sf "http://127.0.0.1:$port/api/v1/products?limit=1" | grep -q '"data"' || fail "products list"
curl -sf "http://127.0.0.1:$port/api/v1/search?q=mug" | grep -q 'ceramic-coffee-mug' || fail "search after seed"
"$shop" health --port "$port" | grep -q "ready: http://127.0.0.1:$port/readyz" || fail "shop health against a ready server"
kill -TERM "$pid"
wait "$pid" || fail "serve did not exit cleanly on SIGTERM"
pid=""
out=$("$shop" health --url "http://127.0.0.1:$port/readyz" 2>&1) && fail "shop health passed with no server"
grep -q "127.0.0.1:$port/readyz" <<<"$out" || fail "shop health does not name the address it asked: $out"
[ "$(stat -c %a "$dir/data/signing-keys.json")" = 600 ] || fail "the signing key file made on the first start is not 0600"
out=$(SHOP_LOG_LEVEL=warn "$shop" backup "$dir/backup" --data-dir "$dir/data" 2>&1) || fail "backup: $out"
[ -s "$dir/backup/manifest.json" ] || fail "backup wrote no manifest"
[ "$(stat -c %a "$dir/backup/manifest.json")" = 600 ] || fail "the manifest is not 0600"
if [ -n "$db" ]; then
    # The files are copied; the database is pg_dump's, and the backup says so.
    grep -q "pg_dump" <<<"$out" || fail "a backup on PostgreSQL does not point to pg_dump: $out"
    [ -e "$dir/backup/catalog.db" ] && fail "a backup on PostgreSQL holds a SQLite file"
else
    [ -s "$dir/backup/catalog.db" ] || fail "backup missing catalog.db"
    out=$(SHOP_LOG_LEVEL=warn "$shop" restore "$dir/backup" --data-dir "$dir/restored" 2>&1) || fail "restore: $out"
    "$shop" migrate --dry-run --data-dir "$dir/restored" | grep -q "pending migrations: 0" || fail "the restored data is not migrated"
fi
out=$("$shop" backup "$dir/backup" --data-dir "$dir/data" 2>&1) && fail "backup into a non-empty directory accepted"
grep -q "is not empty" <<<"$out" || fail "the refusal does not say the target is not empty: $out"
"$shop" keygen | grep -q '"kty":"OKP"' || fail "keygen prints no Ed25519 JWK"
if [ -n "$db" ]; then
    # A SQLite install moved into a second, empty PostgreSQL database.
    SHOP_DB_URL= SHOP_LOG_LEVEL=warn "$shop" seed --data-dir "$dir/lite" | grep -q "seeded products: 8" || fail "seed the SQLite install"
    db2="${db}_moved"
    psql -q "$SHOPTEST_POSTGRESQL" -c "CREATE DATABASE $db2" >/dev/null || fail "create database"
    out=$(SHOP_LOG_LEVEL=warn "$shop" migrate-data --from "sqlite:$dir/lite" --to "${SHOPTEST_POSTGRESQL%/*}/$db2" 2>&1) || fail "migrate-data: $out"
    psql -q "$SHOPTEST_POSTGRESQL" -c "DROP DATABASE IF EXISTS $db2 WITH (FORCE)" >/dev/null 2>&1
    grep -q "^copied [0-9]* rows in [0-9]* tables" <<<"$out" || fail "migrate-data output: $out"
    out=$("$shop" migrate-data --from "$dir/lite" --to "${SHOPTEST_POSTGRESQL%/*}/$db2" 2>&1) && fail "migrate-data without sqlite: accepted"
    grep -q "sqlite:DIR" <<<"$out" || fail "migrate-data usage error: $out"
fi
echo "cli smoke: 1 passed, 0 failed"
