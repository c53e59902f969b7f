complete -c short -s w -l width -d 'Maximum display width in columns; 0 means no limit [default: $COLUMNS, then the terminal\'s width, then 80; when stdout is a file, $COLUMNS, then 80]' -r -f
complete -c short -s m -l marker -d 'Mark cut lines with STR instead of "…" (implies marking)' -r -f
complete -c short -s t -l tab-width -d 'Tab stops every N columns' -r -f
complete -c short -s k -l keep -d 'Which part of a cut line to keep: its start, its end (for paths and stack traces), or both ends with the marker between them' -r -f -a "start\t'The first columns, then the marker'
end\t'The marker, then the last columns'
middle\t'The first and the last columns, the marker between them'"
complete -c short -s s -l skip -d 'Drop the first N columns of every line, then cut to the width (scrolls right, as in a pager)' -r -f
complete -c short -s a -l around -d 'Show the part of a cut line around the first match of PATTERN (a regular expression, matched on the text without its colour codes), with "…" at each side where text was dropped; lines without a match are cut as usual' -r -f
complete -c short -l cluster-width -d 'How the terminal draws emoji sequences and other clusters of several code points: as one picture (whole: kitty, WezTerm, iTerm2, Ghostty, Windows Terminal), code point by code point (sum: tmux, screen, GNOME Terminal and other VTE terminals, Alacritty, xterm, the Linux console), or auto: from the environment, and the larger of the two where the terminal is not known [env: SHORT_CLUSTER_WIDTH] [default: auto]' -r -f -a "auto\t''
whole\t''
sum\t''"
complete -c short -s e -l ellipsis -d 'Mark cut lines with "…" (the marker counts toward the width)'
complete -c short -s z -l zero-terminated -d 'Lines end with NUL instead of newline (as with grep -z, sort -z)'
complete -c short -l cjk -d 'East Asian ambiguous-width characters take two columns (as in CJK locales)'
complete -c short -s F -l fixed-strings -d 'Take the PATTERN of --around as a fixed string, not a regular expression'
complete -c short -s h -l help -d 'Print help (see more with \'--help\')'
complete -c short -s V -l version -d 'Print version'
