#!/usr/bin/env bash
# memory.sh SHORT_BINARY [GIB]
#
# Peak memory of short on one line of GIB GiB (default 1) with no newline,
# generated on the fly so that nothing is stored, measured by GNU time -v, for
# each way of cutting; then the same lines stored in a file and named on the
# command line, which short maps into memory a window at a time. Prints one row
# per kind of line and options: the peak RSS in KiB and the bytes written.
# No pipefail: the generators end on SIGPIPE once head has what it wants.
set -eu
bin=${1:?usage: memory.sh SHORT_BINARY [GIB]}
gib=${2:-1}
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time: apt-get install -y time" >&2; exit 1; }
bytes=$((gib << 30))

line() { # line KIND: GIB GiB of one kind of text, no newline
  case $1 in
    ascii) head -c "$bytes" /dev/zero | tr '\0' 'x' ;;
    cjk) yes '日本語のテキスト 한국어 ' | tr -d '\n' | head -c "$bytes" ;;
    ansi) yes $'\e[1;31mred\e[0m plain ' | tr -d '\n' | head -c "$bytes" ;;
    zero-width) head -c "$bytes" /dev/zero ;;
  esac
}

report=$(mktemp)
stored=$(mktemp)
trap 'rm -f "$report" "$stored"' EXIT
printf '%-16s %-16s %13s %14s\n' line options peak_RSS_KiB bytes_out
row() { # row LABEL OPTIONS [FILE]: runs short on the file, or on stdin
  out=$(/usr/bin/time -v -o "$report" "$bin" $2 ${3:+"$3"} | wc -c)
  peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$report")
  printf '%-16s %-16s %13s %14s\n' "$1" "$2" "$peak" "$out"
}
all_options=("-w 80" "-w 80 -e" "-w 80 -k end -e" "-w 80 -k middle" "-w 80 -s 100")
for kind in ascii cjk ansi zero-width; do
  for options in "${all_options[@]}"; do
    line "$kind" | row "$kind" "$options"
  done
done
for kind in ascii cjk; do
  line "$kind" >"$stored"
  for options in "${all_options[@]}"; do
    row "$kind (file)" "$options" "$stored"
  done
done
