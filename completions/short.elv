
use builtin;
use str;

set edit:completion:arg-completer[short] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'short'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'short'= {
            cand -w 'Maximum display width in columns; 0 means no limit [default: $COLUMNS, then the terminal''s width, then 80; when stdout is a file, $COLUMNS, then 80]'
            cand --width 'Maximum display width in columns; 0 means no limit [default: $COLUMNS, then the terminal''s width, then 80; when stdout is a file, $COLUMNS, then 80]'
            cand -m 'Mark cut lines with STR instead of "…" (implies marking)'
            cand --marker 'Mark cut lines with STR instead of "…" (implies marking)'
            cand -t 'Tab stops every N columns'
            cand --tab-width 'Tab stops every N columns'
            cand -k 'Which part of a cut line to keep: its start, its end (for paths and stack traces), or both ends with the marker between them'
            cand --keep 'Which part of a cut line to keep: its start, its end (for paths and stack traces), or both ends with the marker between them'
            cand -s 'Drop the first N columns of every line, then cut to the width (scrolls right, as in a pager)'
            cand --skip 'Drop the first N columns of every line, then cut to the width (scrolls right, as in a pager)'
            cand -a 'Show the part of a cut line around the first match of PATTERN (a regular expression, matched on the text without its colour codes), with "…" at each side where text was dropped; lines without a match are cut as usual'
            cand --around 'Show the part of a cut line around the first match of PATTERN (a regular expression, matched on the text without its colour codes), with "…" at each side where text was dropped; lines without a match are cut as usual'
            cand --cluster-width 'How the terminal draws emoji sequences and other clusters of several code points: as one picture (whole: kitty, WezTerm, iTerm2, Ghostty, Windows Terminal), code point by code point (sum: tmux, screen, GNOME Terminal and other VTE terminals, Alacritty, xterm, the Linux console), or auto: from the environment, and the larger of the two where the terminal is not known [env: SHORT_CLUSTER_WIDTH] [default: auto]'
            cand -e 'Mark cut lines with "…" (the marker counts toward the width)'
            cand --ellipsis 'Mark cut lines with "…" (the marker counts toward the width)'
            cand -z 'Lines end with NUL instead of newline (as with grep -z, sort -z)'
            cand --zero-terminated 'Lines end with NUL instead of newline (as with grep -z, sort -z)'
            cand --cjk 'East Asian ambiguous-width characters take two columns (as in CJK locales)'
            cand -F 'Take the PATTERN of --around as a fixed string, not a regular expression'
            cand --fixed-strings 'Take the PATTERN of --around as a fixed string, not a regular expression'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
