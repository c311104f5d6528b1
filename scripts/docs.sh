#!/usr/bin/env bash
# Regenerate the registry docs (docs/) from the provider's schema, examples/ and
# tools/docgen/templates/ (`make docs`). With --check, change nothing and fail
# when docs/ is out of date or a schema attribute has no description.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --quiet --locked -p docgen -- --root . "$@"
