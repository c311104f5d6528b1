#!/usr/bin/env bash
# `make bench`: measures the provider and rewrites BENCHMARKS.md and bench/plan_time.svg from what
# it measured (the c1-bench tool in bench/ computes and writes every figure).
#
# Part A launches our release binary and a Go provider built on terraform-plugin-framework
# (terraform-provider-workato 0.16.0, fetched here with `pip download` from PyPI into bench/.work/,
# which git ignores) the same way and compares start-up, schema round trip, peak RSS and size.
# Part C times single protocol calls (validate, create plan, state upgrade) on both providers.
# Part B runs Terraform 1.15.5 (`make terraform`) against the in-process emulator, next to the same
# number of terraform_data resources, with the provider under c1-bench-wrap (built with c1-bench)
# so that its CPU and peak RSS can be told from Terraform's. About 10–15 minutes on two cores.
# Part D, 2,000 integrations on 100 apps, runs only with `--scale` (several minutes more).
#
# Arguments are passed on to c1-bench (`make bench BENCH_ARGS="--sizes 10,100 --reps 3"`,
# `make bench BENCH_ARGS=--scale`; `target/release/c1-bench --help` lists them). Environment:
# TERRAFORM (another Terraform binary).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target_dir=${CARGO_TARGET_DIR:-$root/target}
work="$root/bench/.work"
mkdir -p "$work"

echo "==> build the provider as it ships (scripts/release-binary.sh) and the bench tool (release)"
ours=$(bash scripts/release-binary.sh)
cargo build --locked --release -p c1-bench

if [[ -n ${TERRAFORM:-} ]]; then
    terraform=$TERRAFORM
else
    echo "==> install Terraform (make terraform)"
    make --no-print-directory terraform
    terraform="$root/.tools/terraform-1.15.5/terraform"
fi

echo "==> fetch the Go provider: pip download workato-terraform-provider==0.16.0"
python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$work/pip" workato-terraform-provider==0.16.0
theirs="$work/terraform-provider-workato_v0.16.0"
python3 - "$work/pip/workato_terraform_provider-0.16.0-py3-none-any.whl" "$theirs" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
member = ("workato_terraform_provider/payload/registry.terraform.io/local/workato/0.16.0/"
          "linux_amd64/terraform-provider-workato_v0.16.0")
with zipfile.ZipFile(wheel) as z:
    data = z.read(member)
with open(out + ".tmp", "wb") as f:
    f.write(data)
os.chmod(out + ".tmp", 0o755)
os.replace(out + ".tmp", out)
PY

echo "==> run the bench"
"$target_dir/release/c1-bench" \
    --ours "$ours" \
    --theirs "$theirs" \
    --terraform "$terraform" \
    --out "$root/BENCHMARKS.md" \
    --svg "$root/bench/plan_time.svg" \
    --json "$work/results.json" \
    --work "$work/runs" \
    --command "make bench${*:+ BENCH_ARGS=\"$*\"}" \
    "$@"
