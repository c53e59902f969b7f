#!/usr/bin/env bash
# pkg/release.sh [TARGET]
#
# Builds short for TARGET (default: x86_64-unknown-linux-musl, a static
# binary that needs nothing of the system) and packs
# target/release-archive/short-VERSION-TARGET.tar.gz with the binary, the man
# page, the completions, the README, the licenses and the changelog. Prints
# the archive's path as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-x86_64-unknown-linux-musl}
rustup target add "$target" >/dev/null 2>&1 || true
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
flags=""
if [[ $target == *-linux-gnu ]]; then
    # glibc, linked in whole.
    flags="-C target-feature=+crt-static"
fi
RUSTFLAGS="${RUSTFLAGS:-} $flags" cargo build --release --locked --target "$target" >&2
name=short-$version-$target
out=target/release-archive
rm -rf "${out:?}/$name" "$out/$name.tar.gz"
mkdir -p "$out/$name/completions"
cp "target/$target/release/short" "$out/$name/"
cp man/short.1 README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE "$out/$name/"
cp completions/* "$out/$name/completions/"
tar -C "$out" --owner=0 --group=0 -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz"
