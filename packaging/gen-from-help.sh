#!/bin/sh
# Writes the man page and the bash completion from the built program's own --help texts, so
# neither can fall behind an option someone adds: `mirrorscope --help` gives the synopsis and
# the commands, `mirrorscope COMMAND --help` (QCommandLineParser) each command's options.
#
#   gen-from-help.sh BINARY MAN_TEMPLATE MAN_OUT BASH_TEMPLATE BASH_OUT
#
# The templates hold the prose; lines @VERSION@, @SYNOPSIS@, @COMMANDS@, @OPTIONS@ (man) and
# @COMMANDS@, @CASES@ (bash) are replaced by what the help texts say. POSIX sh + awk (mawk).
set -eu

bin=$1
manTemplate=$2
manOut=$3
bashTemplate=$4
bashOut=$5

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" --help >"$work/top.txt"
version=$("$bin" --version | awk '{ print $NF }')
# The sub-commands are the words after "mirrorscope" in the synopsis that are not options.
commands=$(awk '{ sub(/^Usage:/, ""); if ($1 == "mirrorscope" && $2 ~ /^[a-z]+$/) print $2 }' \
    "$work/top.txt" | awk '!seen[$0]++')
[ -n "$commands" ] || { echo "gen-from-help: no commands in $bin --help" >&2; exit 1; }
for c in $commands; do
    "$bin" "$c" --help >"$work/$c.txt"
done

# roff helpers shared by the awk programs: escape text, options in bold, values in italics.
roffLib='
function esc(s) {
    gsub(/\\/, "\\e", s)
    gsub(/--/, "\\-\\-", s)
    if (s ~ /^[.'"'"']/) s = "\\&" s
    return s
}
function spec(s,    n, i, t, parts, out, comma) {
    gsub(/\\/, "\\e", s)
    n = split(s, parts, " ")
    out = ""
    for (i = 1; i <= n; i++) {
        t = parts[i]
        if (t ~ /^-/) {
            sub(/,$/, "", t); comma = (parts[i] ~ /,$/) ? "," : ""
            gsub(/-/, "\\-", t); t = "\\fB" t "\\fR" comma
        } else {
            t = "\\fI" t "\\fR"
        }
        out = out (i > 1 ? " " : "") t
    }
    return out
}'

# SYNOPSIS: the usage lines of `mirrorscope --help` as they are (no fill), without "Usage:".
awk 'NR == 1 { sub(/^Usage: /, "") } /^$/ { exit } {
        sub(/^       /, ""); gsub(/\\/, "\\e"); gsub(/-/, "\\-"); print
    }' "$work/top.txt" >"$work/synopsis"

# COMMANDS: "name      text" paragraphs after the synopsis; other lines become paragraphs.
awk "$roffLib"'
    !body { if ($0 == "") body = 1; next }
    /^[a-z]+  +/ { name = $1; sub(/^[a-z]+ +/, ""); print ".TP"; print "\\fB" name "\\fR"; print esc($0); next }
    /^   / { sub(/^ +/, ""); print esc($0); next }
    /./ { print ".PP"; print esc($0) }' "$work/top.txt" >"$work/commands"

# OPTIONS: one subsection per command from QCommandLineParser'"'"'s layout.
: >"$work/options"
for c in $commands; do
    awk -v cmd="$c" "$roffLib"'
        NR == 1 { sub(/^Usage: [^ ]+/, ""); print ".SS \"mirrorscope " cmd "\"" ; usage = $0; next }
        /^(Options|Arguments):$/ { section = $0; next }
        /^$/ { next }
        section == "" {
            if (!described++) { print ".PP"; print "\\fBmirrorscope " cmd "\\fR" esc(usage); print ".br" }
            print esc($0)
            next
        }
        /^  [^ ]/ {
            line = substr($0, 3)
            left = line; sub(/  .*/, "", left)
            right = substr(line, length(left) + 1); sub(/^ +/, "", right)
            print ".TP"
            if (section == "Arguments:") print "\\fI" left "\\fR"; else print spec(left)
            if (right != "") print esc(right)
            next
        }
        { sub(/^ +/, ""); print esc($0) }' "$work/$c.txt" >>"$work/options"
done

# Splices the generated parts into a template at their @PLACEHOLDER@ lines.
splice() {
    awk -v dir="$work" -v version="$version" '
        $0 == "@SYNOPSIS@" || $0 == "@COMMANDS@" || $0 == "@OPTIONS@" || $0 == "@CASES@" {
            file = dir "/" tolower(substr($0, 2, length($0) - 2))
            while ((getline line < file) > 0) print line
            close(file)
            next
        }
        { gsub(/@VERSION@/, version); gsub(/@COMMAND_LIST@/, commandList); print }
    ' commandList="$(echo $commands)" "$1" >"$2"
}
splice "$manTemplate" "$manOut.tmp"
mv "$manOut.tmp" "$manOut"
# Debian ships man pages compressed, without a timestamp in the gzip header (reproducible).
gzip -9n -c "$manOut" >"$manOut.gz"

# Bash completion: per command the options, those taking a value, and those taking a file.
: >"$work/cases"
for c in $commands; do
    awk -v cmd="$c" '
        /^(Options):$/ { inOptions = 1; next }
        /^[A-Z][a-z]+:$/ { inOptions = 0 }
        inOptions && /^  -/ {
            left = substr($0, 3); sub(/  .*/, "", left)
            n = split(left, parts, " ")
            names = ""; value = ""
            for (i = 1; i <= n; i++) {
                t = parts[i]; sub(/,$/, "", t)
                if (t ~ /^-/) names = names " " t; else value = t
            }
            opts = opts names
            if (value != "") valued = valued names
            if (value ~ /^<(FILE|OUT|file)>$/) files = files names
        }
        END {
            sub(/^ /, "", opts); sub(/^ /, "", valued); sub(/^ /, "", files)
            printf "    %s) opts=\"%s\"\n        valued=\"%s\"\n        files=\"%s\" ;;\n", cmd, opts, valued, files
        }' "$work/$c.txt" >>"$work/cases"
done
splice "$bashTemplate" "$bashOut.tmp"
mv "$bashOut.tmp" "$bashOut"
