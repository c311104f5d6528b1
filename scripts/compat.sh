#!/usr/bin/env bash
# `make compat`: installs each Terraform release we test against into .tools/ and runs the smoke
# lifecycle (tests/acc_compat.rs: create, clean re-plan, data source, import, import block, identity,
# write-only, destroy) on each, then prints a table of version x step and how long each took.
#
# Usage: scripts/compat.sh [VERSION...]   (default: every version below; COMPAT_VERSIONS="1.0.3 1.15.5"
# works too). Exit status non-zero if any step failed on any version. The table is also written to
# target/compat/table.md.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
all_versions=(1.0.3 1.6.6 1.8.4 1.9.8 1.10.5 1.11.4 1.12.2 1.13.5 1.14.9 1.15.5)
read -r -a versions <<<"${COMPAT_VERSIONS:-}"
(($#)) && versions=("$@")
((${#versions[@]})) || versions=("${all_versions[@]}")
cargo=${CARGO:-cargo}
out="$root/target/compat"
rm -rf "$out"
mkdir -p "$out"

started=$SECONDS
bash scripts/install-terraform.sh "${versions[@]}"
install_secs=$((SECONDS - started))
# Built once; every run below reuses it.
"$cargo" test --locked --test acc_compat --no-run --quiet

failed=0
declare -A secs
for v in "${versions[@]}"; do
  echo "==== compat: Terraform $v ====" >&2
  t0=$SECONDS
  TERRAFORM="$root/.tools/terraform-$v/terraform" COMPAT_REPORT="$out/$v.tsv" \
    "$cargo" test --locked --quiet --test acc_compat -- --nocapture >"$out/$v.log" 2>&1 \
    || { failed=1; echo "compat: Terraform $v FAILED (log: target/compat/$v.log)" >&2; }
  secs[$v]=$((SECONDS - t0))
done

# The table: one row per version, one column per step, in the report's order.
{
  first="${versions[0]}"
  steps=()
  if [[ -f "$out/$first.tsv" ]]; then mapfile -t steps < <(cut -f1 "$out/$first.tsv"); fi
  ((${#steps[@]})) || steps=(create re-plan "data source" import "import block" identity write-only destroy)
  printf '| Terraform |'; printf ' %s |' "${steps[@]}"; printf ' time |\n'
  printf '|---|'; printf -- '---|%.0s' "${steps[@]}"; printf -- '---|\n'
  for v in "${versions[@]}"; do
    printf '| %s |' "$v"
    for step in "${steps[@]}"; do
      result="no report"
      [[ -f "$out/$v.tsv" ]] && result="$(awk -F'\t' -v s="$step" '$1 == s { print $2 }' "$out/$v.tsv")"
      printf ' %s |' "${result:-missing}"
    done
    printf ' %ss |\n' "${secs[$v]}"
  done
} | tee "$out/table.md"
echo "compat: ${#versions[@]} versions in $((SECONDS - started))s (install ${install_secs}s)"
exit "$failed"
