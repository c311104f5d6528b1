#!/usr/bin/env bash
# Install the provider into a Terraform filesystem mirror (`make install`):
#
#   $PREFIX/registry.terraform.io/conductorone/conductorone/X.Y.Z/OS_ARCH/terraform-provider-conductorone_vX.Y.Z
#
# PREFIX defaults to ~/.terraform.d/plugins, a directory Terraform searches by itself
# when the CLI configuration has no provider_installation block, so a plain
# `terraform init` then finds version X.Y.Z with no registry. Settings (environment):
#   PREFIX=<dir>     another mirror directory (name it in a filesystem_mirror block)
#   BINARY=<path>    install this binary instead of building one
#   PROFILE=release  cargo profile to build with (release or dev)
set -euo pipefail

cd "$(dirname "$0")/.."
name=terraform-provider-conductorone
prefix=${PREFIX:-$HOME/.terraform.d/plugins}
profile=${PROFILE:-release}

version=$(python3 - <<'PY'
import tomllib
with open("Cargo.toml", "rb") as f:
    print(tomllib.load(f)["package"]["version"])
PY
)

case $(uname -s) in
    Linux) os=linux ;; Darwin) os=darwin ;; MINGW*|MSYS*|CYGWIN*) os=windows ;; FreeBSD) os=freebsd ;;
    *) echo "install.sh: unknown OS $(uname -s)" >&2; exit 2 ;;
esac
case $(uname -m) in
    x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;;
    *) echo "install.sh: unknown architecture $(uname -m)" >&2; exit 2 ;;
esac
exe=""
[[ $os == windows ]] && exe=".exe"

if [[ -z ${BINARY:-} ]]; then
    echo "==> cargo build --profile $profile --locked"
    cargo build --profile "$profile" --locked -p "$name"
    dir=$profile
    [[ $profile == dev ]] && dir=debug
    BINARY="target/$dir/$name$exe"
fi
[[ -f $BINARY ]] || { echo "install.sh: no binary at $BINARY" >&2; exit 1; }

dest="$prefix/registry.terraform.io/conductorone/conductorone/$version/${os}_${arch}"
mkdir -p "$dest"
# Copy to a temporary name first so a running Terraform never sees half a binary.
cp "$BINARY" "$dest/.${name}_v$version$exe.tmp"
chmod 0755 "$dest/.${name}_v$version$exe.tmp"
mv -f "$dest/.${name}_v$version$exe.tmp" "$dest/${name}_v$version$exe"
echo "==> installed $dest/${name}_v$version$exe"
