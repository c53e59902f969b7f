#!/usr/bin/env bash
# Prints what a terminal (tmux) shows for the before-and-after blocks of the
# README: `cat docs/demo.txt` and `short -w 40 -e docs/demo.txt` in 40
# columns, then grep's matches in minified code without and with --around in
# 60. Needs tmux and a built binary: cargo build --release
set -euo pipefail
cd "$(dirname "$0")/.."
short=${SHORT:-target/release/short}
socket=short-demo-$$
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT
grep="grep -n renderWidget docs/bundle.min.js"
for shown in "40 cat docs/demo.txt" "40 $short -w 40 -e docs/demo.txt" \
    "60 $grep | $short" "60 $grep | $short --around renderWidget"; do
    columns=${shown%% *}
    command=${shown#* }
    tmux -L "$socket" -f /dev/null new-session -d -s demo -x "$columns" -y 30 \
        "sh -c 'clear; $command; sleep 5'"
    sleep 1
    echo "\$ ${command//$short/short}"
    tmux -L "$socket" capture-pane -p -t demo | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
    tmux -L "$socket" kill-session -t demo
    echo
done
