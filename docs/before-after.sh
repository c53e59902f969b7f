#!/usr/bin/env bash
# Prints what a 40-column terminal (tmux) shows for `cat docs/demo.txt` and
# for `short -w 40 -e docs/demo.txt`: the before-and-after block of the README.
# Needs tmux and a built binary: cargo build --release
set -euo pipefail
cd "$(dirname "$0")/.."
short=${SHORT:-target/release/short}
socket=short-demo-$$
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT
for command in "cat docs/demo.txt" "$short -w 40 -e docs/demo.txt"; do
    tmux -L "$socket" -f /dev/null new-session -d -s demo -x 40 -y 30 \
        "sh -c 'clear; $command; sleep 5'"
    sleep 1
    echo "\$ ${command/$short/short}"
    tmux -L "$socket" capture-pane -p -t demo | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
    tmux -L "$socket" kill-session -t demo
    echo
done
