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
# Settings (environment): TARGET=<rust target triple> (default: this machine's), CARGO_TARGET_DIR,
# STARTUP_SYMBOLS_BUILD=1 (keep the symbols, no ordering: what scripts/startup-symbols.sh measures).
set -euo pipefail

cd "$(dirname "$0")/.."
name=terraform-provider-conductorone
target=${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}
flags=""
case $target in
    *-linux-gnu*) flags="-C target-feature=+crt-static -C relocation-model=static" ;;
esac
# The functions a launch runs until it has served its schema, placed together at the start of
# .text (scripts/startup-symbols.txt, written by scripts/startup-symbols.sh): the kernel maps a
# binary's code in 64 KiB runs around each page it faults in, so start-up code scattered over the
# whole of .text made most of it resident. Only for rust-lld (the default linker of
# x86_64-unknown-linux-gnu), which takes an ordering file; names it does not find are skipped, so
# a list older than the code costs memory, never correctness.
link_args=()
if [[ $target == x86_64-unknown-linux-gnu && -f scripts/startup-symbols.txt ]]; then
    # Cargo does not watch a file named in a link argument: a copy named by its content makes a
    # new list a new argument, and so a new link.
    sum=$(sha256sum scripts/startup-symbols.txt | cut -c1-16)
    order="${CARGO_TARGET_DIR:-$PWD/target}/startup-symbols-$sum.txt"
    mkdir -p "$(dirname "$order")"
    [[ -f $order ]] || cp scripts/startup-symbols.txt "$order"
    link_args=(-C "link-arg=-Wl,--symbol-ordering-file=$order" -C "link-arg=-Wl,--no-warn-symbol-ordering")
fi
exe=""
[[ $target == *-windows-* ]] && exe=".exe"

echo "==> cargo rustc --release --locked --target $target${flags:+ (RUSTFLAGS: $flags)}" >&2
# --target keeps RUSTFLAGS off build scripts and proc macros, which must stay dynamic. The link
# arguments go to the binary alone (`cargo rustc -- …`): in RUSTFLAGS they would change every
# crate's symbol names, which the ordering file lists.
extra=("${link_args[@]}")
# scripts/startup-symbols.sh builds with the symbols kept and the default order.
[[ -n ${STARTUP_SYMBOLS_BUILD:-} ]] && extra=(-C strip=none)
RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$flags" cargo rustc --release --locked --target "$target" \
    -p "$name" --bin "$name" ${extra[@]:+-- "${extra[@]}"} >&2
echo "${CARGO_TARGET_DIR:-$PWD/target}/$target/release/$name$exe"
