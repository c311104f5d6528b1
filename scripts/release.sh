#!/usr/bin/env bash
# Build the provider in release mode and package it the way the Terraform
# Registry expects (`make release`):
#
#   dist/terraform-provider-conductorone_X.Y.Z_OS_ARCH.zip   (holds terraform-provider-conductorone_vX.Y.Z)
#   dist/terraform-provider-conductorone_X.Y.Z_SHA256SUMS     (every zip of X.Y.Z in dist/, and the manifest)
#   dist/terraform-provider-conductorone_X.Y.Z_manifest.json  (copy of terraform-registry-manifest.json)
#
# X.Y.Z is the package version in Cargo.toml. Settings (environment):
#   TARGET=<rust target triple>  cross-build, e.g. aarch64-unknown-linux-gnu (rustup target add ... first)
#   BINARY=<path>                package this binary instead of building one (TARGET still names the platform)
#   GPG_FINGERPRINT=<key>        also write ..._SHA256SUMS.sig, a detached signature the registry checks
#   SOURCE_DATE_EPOCH=<seconds>  time stamp of the zip entries (default: the last commit's time)
#   DIST=<dir>                   write there instead of dist/
# Run it once per target; the SHA256SUMS file always covers all zips of the version present in dist/.
set -euo pipefail

cd "$(dirname "$0")/.."
name=terraform-provider-conductorone

version=$(python3 - <<'PY'
import tomllib
with open("Cargo.toml", "rb") as f:
    print(tomllib.load(f)["package"]["version"])
PY
)

# Terraform's platform names from a Rust target triple (or from this machine).
platform() {
    local triple=${1:-} os arch
    if [[ -n $triple ]]; then
        case $triple in
            *-linux-*) os=linux ;; *-apple-darwin) os=darwin ;; *-windows-*) os=windows ;;
            *-freebsd) os=freebsd ;; *) echo "release.sh: unknown OS in target $triple" >&2; exit 2 ;;
        esac
        arch=${triple%%-*}
    else
        case $(uname -s) in
            Linux) os=linux ;; Darwin) os=darwin ;; MINGW*|MSYS*|CYGWIN*) os=windows ;; FreeBSD) os=freebsd ;;
            *) echo "release.sh: unknown OS $(uname -s)" >&2; exit 2 ;;
        esac
        arch=$(uname -m)
    fi
    case $arch in
        x86_64|amd64) arch=amd64 ;; aarch64|arm64) arch=arm64 ;; i686|i386) arch=386 ;; armv7*|arm) arch=arm ;;
        *) echo "release.sh: unknown architecture $arch" >&2; exit 2 ;;
    esac
    echo "${os}_${arch}"
}

os_arch=$(platform "${TARGET:-}")
exe=""
[[ $os_arch == windows_* ]] && exe=".exe"

if [[ -z ${BINARY:-} ]]; then
    # Statically linked on Linux: see scripts/release-binary.sh.
    BINARY=$(bash scripts/release-binary.sh)
fi
[[ -f $BINARY ]] || { echo "release.sh: no binary at $BINARY" >&2; exit 1; }

dist=${DIST:-dist}
mkdir -p "$dist"
export RELEASE_DIST=$dist RELEASE_NAME=$name RELEASE_VERSION=$version RELEASE_OS_ARCH=$os_arch RELEASE_BINARY=$BINARY RELEASE_EXE=$exe
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}
python3 - <<'PY'
import glob, hashlib, os, shutil, time, zipfile

name, version = os.environ["RELEASE_NAME"], os.environ["RELEASE_VERSION"]
os_arch, binary, exe = os.environ["RELEASE_OS_ARCH"], os.environ["RELEASE_BINARY"], os.environ["RELEASE_EXE"]
prefix = os.path.join(os.environ["RELEASE_DIST"], f"{name}_{version}")

# A fixed time stamp and mode make the zip depend on the binary alone.
stamp = time.gmtime(max(int(os.environ["SOURCE_DATE_EPOCH"]), 315532800))[:6]
entry = zipfile.ZipInfo(f"{name}_v{version}{exe}", date_time=stamp)
entry.external_attr = (0o100755 << 16)
entry.compress_type = zipfile.ZIP_DEFLATED
archive = f"{prefix}_{os_arch}.zip"
with open(binary, "rb") as src, zipfile.ZipFile(archive, "w") as out:
    out.writestr(entry, src.read())
print(f"==> wrote {archive}")

manifest = f"{prefix}_manifest.json"
shutil.copyfile("terraform-registry-manifest.json", manifest)
print(f"==> wrote {manifest}")

def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

files = sorted(glob.glob(f"{prefix}_*.zip")) + [manifest]
with open(f"{prefix}_SHA256SUMS", "w") as sums:
    for path in files:
        sums.write(f"{sha256(path)}  {os.path.basename(path)}\n")
print(f"==> wrote {prefix}_SHA256SUMS ({len(files)} files)")
PY

if [[ -n ${GPG_FINGERPRINT:-} ]]; then
    sums="$dist/${name}_${version}_SHA256SUMS"
    gpg --batch --yes --local-user "$GPG_FINGERPRINT" --output "$sums.sig" --detach-sign "$sums"
    echo "==> wrote $sums.sig"
fi
