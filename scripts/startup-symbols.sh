#!/usr/bin/env bash
# Writes scripts/startup-symbols.txt: the functions the provider runs from exec until it has
# answered GetProviderSchema over AutoMTLS (and over plaintext), in the order callgrind first
# lists them. scripts/release-binary.sh hands the list to the linker so that this code sits
# together at the start of .text (see there for why). Run it after a dependency update or a change
# of build flags, which rename symbols; `make bench` shows the effect (peak RSS after the schema).
#
# Needs valgrind. Builds the shipped configuration with its symbols kept, then drives launches
# with the bench's client (target/release/c1-bench, built here), each under callgrind.
set -euo pipefail

cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "startup-symbols: valgrind is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

binary=$(STARTUP_SYMBOLS_BUILD=1 bash scripts/release-binary.sh)
cp "$binary" "$work/provider"
cargo build --locked --release -p c1-bench >&2
make --no-print-directory terraform >&2

cat > "$work/launch" <<SH
#!/bin/sh
exec valgrind --quiet --tool=callgrind --demangle=no --callgrind-out-file="$work/out.%p" "$work/provider" "\$@"
SH
chmod +x "$work/launch"
# The same binary on both sides: only the launches matter here, not the comparison.
target/release/c1-bench --ours "$work/launch" --theirs "$work/launch" \
    --terraform .tools/terraform-1.15.5/terraform --out "$work/report.md" --svg "$work/chart.svg" \
    --work "$work/runs" --launches 1 --skip-terraform --skip-percall >&2

python3 - "$work" scripts/startup-symbols.txt <<'PY'
import glob, re, sys
work, out = sys.argv[1], sys.argv[2]
seen, order = set(), []
for path in sorted(glob.glob(f"{work}/out.*")):
    objects, names, current = {}, {}, None
    for line in open(path, errors="replace"):
        m = re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m:
            kind, ident, name = m.groups()
            if name:
                objects[ident] = name
            if kind == "ob":
                current = objects.get(ident)
            continue
        # A name is given once, where its id first appears, which may be a call (cfn=).
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
        if m:
            kind, ident, name = m.groups()
            if name:
                names[ident] = name
            if kind == "cfn":
                continue
            name = names.get(ident)
            if current and current.endswith("/provider") and name and not name.startswith("0x") and name not in seen:
                seen.add(name)
                order.append(name)
if len(order) < 100:
    sys.exit(f"startup-symbols: only {len(order)} functions seen; is the binary stripped?")
with open(out, "w") as f:
    f.write("\n".join(order) + "\n")
print(f"startup-symbols: {len(order)} functions written to {out}", file=sys.stderr)
PY
