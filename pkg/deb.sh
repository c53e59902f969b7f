#!/usr/bin/env bash
# pkg/deb.sh [cargo deb options]
#
# Builds the Debian package with cargo-deb, after compressing the documents
# larger than 4 KiB as Debian policy asks (12.3); cargo-deb compresses the
# man page and the changelogs itself. Prints the package's path last.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=target/deb-docs
mkdir -p "$docs"
for doc in README.md docs/cutting.md; do
    gzip -9n --stdout "$doc" > "$docs/$(basename "$doc").gz"
done
cargo deb "$@"
