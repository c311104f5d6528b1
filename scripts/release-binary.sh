#!/usr/bin/env bash
# Builds the provider binary the way it ships and prints its path (on stdout; cargo's output goes
# to stderr). Used by `make release` and `make bench`, so the bench measures what users run.
#
# On Linux with glibc the binary is statically linked and not position-independent
# (`+crt-static`, `relocation-model=static`): there is no dynamic loader, no relocation of the
# binary at start-up and no shared library to map, which is most of what a launch touches before
# it serves (see BENCHMARKS.md), and the binary runs on any glibc or none. glibc's own resolver
# is linked in: /etc/hosts and DNS work as usual; NSS modules other than `files` and `dns`
# (e.g. mDNS or LDAP host lookups) are not loaded by a static binary.
#
# Settings (environment): TARGET=<rust target triple> (default: this machine's), CARGO_TARGET_DIR.
set -euo pipefail

cd "$(dirname "$0")/.."
name=terraform-provider-conductorone
target=${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
flags=""
case $target in
    *-linux-gnu*) flags="-C target-feature=+crt-static -C relocation-model=static" ;;
esac
exe=""
[[ $target == *-windows-* ]] && exe=".exe"

echo "==> cargo build --release --locked --target $target${flags:+ (RUSTFLAGS: $flags)}" >&2
# --target keeps these flags off build scripts and proc macros, which must stay dynamic.
RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$flags" cargo build --release --locked --target "$target" -p "$name" >&2
echo "${CARGO_TARGET_DIR:-$PWD/target}/$target/release/$name$exe"
