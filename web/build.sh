#!/usr/bin/env bash
# Builds web/dist/ (committed; compiled into nks by CMake) from web/src/ and
# the pinned dkfds package. Needs node and npm; neither `make run` nor CI
# runs it. Deterministic: the same inputs give the same bytes (gzip -n).
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/dkfds ] || npm ci --no-audit --no-fund
node build.mjs
# Precompressed copies of the text files; nks serve sends them to clients
# that accept gzip.
find dist -type f \( -name '*.html' -o -name '*.css' -o -name '*.js' -o -name '*.svg' -o -name '*.txt' \) \
  -print0 | while IFS= read -r -d '' f; do gzip -9 -n -c "$f" >"$f.gz"; done
du -sb dist | cut -f1 | xargs -I{} echo "web/dist: {} bytes"
