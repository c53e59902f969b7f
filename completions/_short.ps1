
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'short' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'short'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'short' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Maximum display width in columns; 0 means no limit [default: $COLUMNS, then the terminal''s width, then 80; when stdout is a file, $COLUMNS, then 80]')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Maximum display width in columns; 0 means no limit [default: $COLUMNS, then the terminal''s width, then 80; when stdout is a file, $COLUMNS, then 80]')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Mark cut lines with STR instead of "…" (implies marking)')
            [CompletionResult]::new('--marker', '--marker', [CompletionResultType]::ParameterName, 'Mark cut lines with STR instead of "…" (implies marking)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Tab stops every N columns')
            [CompletionResult]::new('--tab-width', '--tab-width', [CompletionResultType]::ParameterName, 'Tab stops every N columns')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Which part of a cut line to keep: its start, its end (for paths and stack traces), or both ends with the marker between them')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Which part of a cut line to keep: its start, its end (for paths and stack traces), or both ends with the marker between them')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Drop the first N columns of every line, then cut to the width (scrolls right, as in a pager)')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Drop the first N columns of every line, then cut to the width (scrolls right, as in a pager)')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Show the part of a cut line around the first match of PATTERN (a regular expression, matched on the text without its colour codes), with "…" at each side where text was dropped; lines without a match are cut as usual')
            [CompletionResult]::new('--around', '--around', [CompletionResultType]::ParameterName, 'Show the part of a cut line around the first match of PATTERN (a regular expression, matched on the text without its colour codes), with "…" at each side where text was dropped; lines without a match are cut as usual')
            [CompletionResult]::new('--cluster-width', '--cluster-width', [CompletionResultType]::ParameterName, 'How the terminal draws emoji sequences and other clusters of several code points: as one picture (whole: kitty, WezTerm, iTerm2, Ghostty, Windows Terminal), code point by code point (sum: tmux, screen, GNOME Terminal and other VTE terminals, Alacritty, xterm, the Linux console), or auto: from the environment, and the larger of the two where the terminal is not known [env: SHORT_CLUSTER_WIDTH] [default: auto]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Mark cut lines with "…" (the marker counts toward the width)')
            [CompletionResult]::new('--ellipsis', '--ellipsis', [CompletionResultType]::ParameterName, 'Mark cut lines with "…" (the marker counts toward the width)')
            [CompletionResult]::new('-z', '-z', [CompletionResultType]::ParameterName, 'Lines end with NUL instead of newline (as with grep -z, sort -z)')
            [CompletionResult]::new('--zero-terminated', '--zero-terminated', [CompletionResultType]::ParameterName, 'Lines end with NUL instead of newline (as with grep -z, sort -z)')
            [CompletionResult]::new('--cjk', '--cjk', [CompletionResultType]::ParameterName, 'East Asian ambiguous-width characters take two columns (as in CJK locales)')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Take the PATTERN of --around as a fixed string, not a regular expression')
            [CompletionResult]::new('--fixed-strings', '--fixed-strings', [CompletionResultType]::ParameterName, 'Take the PATTERN of --around as a fixed string, not a regular expression')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
