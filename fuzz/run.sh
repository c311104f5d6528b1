#!/usr/bin/env bash
# Fuzzes the cty codecs for a bounded number of runs on the stable toolchain.
#
#   fuzz/run.sh [runs]        (default 200000 runs per target; FUZZ_TARGETS picks targets)
#
# cargo-fuzz is not needed: with `--sanitizer none` it only adds the coverage flags below to a
# release build for the host triple (the explicit --target keeps them off build scripts and proc
# macros), and those flags are stable. libfuzzer-sys brings libFuzzer and builds it with the C++
# compiler. The build has its own target dir, so the instrumented flags never invalidate the
# main workspace's build cache.
set -euo pipefail

runs="${1:-200000}"
targets="${FUZZ_TARGETS:-msgpack_decode json_decode}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
triple="$(rustc -vV | sed -n 's/^host: //p')"

flags=(
  -Cpasses=sancov-module
  -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
  -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares
  -Cllvm-args=-sanitizer-coverage-stack-depth
  -Cllvm-args=-simplifycfg-branch-fold-threshold=0
  --cfg=fuzzing
  -Cdebug-assertions
)
export RUSTFLAGS="${flags[*]} ${RUSTFLAGS:-}"
export CARGO_TARGET_DIR="$here/target"

start=$(date +%s)
# shellcheck disable=SC2086 # one --bin per target
cargo build --manifest-path "$here/Cargo.toml" --release --target "$triple" $(printf -- '--bin %s ' $targets)
echo "fuzz: build took $(( $(date +%s) - start ))s"

for target in $targets; do
  corpus="$here/corpus/$target"
  artifacts="$here/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  [ -d "$here/seeds/$target" ] && seeds=("$here/seeds/$target")
  start=$(date +%s)
  # rss_limit_mb catches an input that makes the decoder reserve memory; timeout catches one
  # that makes it slow. Both abort with the input saved under artifacts/.
  "$CARGO_TARGET_DIR/$triple/release/$target" \
    -runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" "${seeds[@]}"
  echo "fuzz: $target ran $runs runs in $(( $(date +%s) - start ))s"
done
