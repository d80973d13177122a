#!/usr/bin/env bash
# Installs the Debian packages the build and tests need, when missing.
# Usage: scripts/deps.sh [build|test|bench|fuzz]
set -euo pipefail
what=${1:-build}
pkgs=(cmake ninja-build g++ pkg-config ccache libsqlite3-dev libfmt-dev libcli11-dev
      libsodium-dev libhpdf-dev libgtest-dev libgmock-dev librapidcheck-dev
      libbenchmark-dev nlohmann-json3-dev libxml2-dev
      libboost-dev libssl-dev libcpp-httplib-dev openssl libpq-dev)
# libboost-dev: Beast + Asio for nks serve (STACK.md); libssl-dev: TLS and
# mTLS, and SHA-256 of payment files; libcpp-httplib-dev: the HTTPS client
# of OpenID Connect login (api/oidc.cc), of the server's integration tests
# and the test OIDC provider; openssl: the tests make their certificates
# with it; libpq-dev: the PostgreSQL store (store/pg_store.cc).
case "$what" in
  # postgresql-15: the throwaway cluster every test runs against besides
  # SQLite (scripts/pg_test_cluster.sh, ctest fixture "pg").
  # chromium + chromium-driver, nodejs + npm: the portal's browser tests
  # (tests/browser, playwright-core drives Debian's Chromium; never a
  # downloaded browser). node and npm only when missing: a Node.js from
  # elsewhere (which brings its own npm) is kept.
  test) pkgs+=(poppler-utils libxml2-utils postgresql-15 chromium chromium-driver)
        command -v node >/dev/null || pkgs+=(nodejs)
        command -v npm >/dev/null || pkgs+=(npm) ;;
  # postgresql: the reference of the payment benchmark (bench/pg_reference.sh);
  # wrk loads nks serve; redis-server + redis-benchmark (redis-tools) are
  # the reference for bench/http_bench.sh.
  bench) pkgs+=(time bc postgresql-15 postgresql-client-15 wrk redis-server redis-tools) ;;
  # libFuzzer and the sanitizer runtimes are in libclang-rt-14-dev, which
  # clang-14 only recommends.
  fuzz) pkgs+=(clang-14 libclang-rt-14-dev) ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The browser tests' npm packages (pinned by web/package-lock.json).
if [ "$what" = test ] && [ ! -d "$(dirname "$0")/../web/node_modules/playwright-core" ]; then
  echo "deps: npm ci in web/" >&2
  (cd "$(dirname "$0")/../web" && npm ci --no-audit --no-fund >/dev/null)
fi
