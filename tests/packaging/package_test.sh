#!/usr/bin/env bash
# Builds the Debian package from a configured, built build folder, unpacks it into a temporary
# root (dpkg-deb -x, no root needed) and uses what it ships the way an installed copy would be
# used: the unpacked binary, the shipped example, the desktop file, AppStream metadata, MIME
# type, icons, man page and bash completion. Exit 0 pass, 1 fail, 77 skip (a tool missing).
#
#   package_test.sh BUILD_DIR VERSION [CPACK]
set -uo pipefail

build=${1:?build folder}
version=${2:?expected version}
cpack=${3:-cpack}

failures=0
ok() { echo "ok   - $*"; }
fail() {
    echo "FAIL - $*"
    failures=$((failures + 1))
}
skip() {
    echo "SKIP: $*"
    exit 77
}

for tool in "$cpack" dpkg-deb dpkg-shlibdeps desktop-file-validate appstreamcli; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- build the package ---------------------------------------------------------------------
arch=$(dpkg --print-architecture)
deb=$tmp/out/mirrorscope_${version}_${arch}.deb
if ! (cd "$build" && "$cpack" -G DEB --config CPackConfig.cmake -B "$tmp/out") >"$tmp/cpack.log" 2>&1; then
    cat "$tmp/cpack.log"
    echo "FAIL - cpack -G DEB failed in $build"
    exit 1
fi
if [[ ! -f $deb ]]; then
    cat "$tmp/cpack.log"
    ls -l "$tmp/out"
    echo "FAIL - cpack did not write mirrorscope_${version}_${arch}.deb"
    exit 1
fi
ok "cpack wrote $(basename "$deb") ($(stat -c %s "$deb") bytes)"

field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == mirrorscope ]] && ok "Package: mirrorscope" || fail "Package is '$(field Package)'"
[[ $(field Version) == "$version" ]] && ok "Version: $version" ||
    fail "package Version '$(field Version)' is not project(VERSION) $version"
[[ $(field Architecture) == "$arch" ]] && ok "Architecture: $arch" || fail "Architecture is '$(field Architecture)'"
depends=$(field Depends)
# Library dependencies must come from dpkg-shlibdeps (versioned), plus the Qt platform plugins.
for dep in 'libqt6core6 (>=' 'libqt6widgets6 (>=' 'libyaml-cpp' 'libre2' 'libc6 (>=' qt6-qpa-plugins; do
    [[ $depends == *"$dep"* ]] || fail "Depends lacks '$dep': $depends"
done
ok "Depends: $depends"
for f in Section Homepage Maintainer Description; do
    [[ -n $(field "$f") ]] || fail "control field $f is empty"
done
[[ -n $(dpkg-deb -f "$deb" Description | sed -n 2p) ]] || fail "no extended Description"
ok "Section: $(field Section), Homepage: $(field Homepage), Maintainer: $(field Maintainer)"

# --- unpack and check the layout -----------------------------------------------------------
root=$tmp/root
dpkg-deb -x "$deb" "$root" || { echo "FAIL - dpkg-deb -x"; exit 1; }
bin=$root/usr/bin/mirrorscope
desktop=$(ls "$root"/usr/share/applications/*.desktop 2>/dev/null | head -n 1)
metainfo=$(ls "$root"/usr/share/metainfo/*.metainfo.xml 2>/dev/null | head -n 1)
man=$root/usr/share/man/man1/mirrorscope.1.gz
completion=$root/usr/share/bash-completion/completions/mirrorscope
mime=$root/usr/share/mime/packages/mirrorscope.xml
example=$root/usr/share/mirrorscope/examples/greeter-mirror.yaml
for f in "$bin" "$desktop" "$metainfo" "$man" "$completion" "$mime" "$example" \
    "$root/usr/share/icons/hicolor/scalable/apps/mirrorscope.svg"; do
    [[ -n $f && -f $f ]] || fail "the package lacks ${f#"$root"}"
done
[[ -x $bin ]] || { echo "FAIL - no executable /usr/bin/mirrorscope"; exit 1; }
ok "unpacked: $(cd "$root" && find . -type f | wc -l) files"

# --- the unpacked program ------------------------------------------------------------------
out=$("$bin" --version 2>&1)
[[ $out == "mirrorscope $version" ]] && ok "mirrorscope --version: $out" ||
    fail "mirrorscope --version printed '$out', expected 'mirrorscope $version'"

if out=$("$bin" validate "$example" 2>&1); then
    ok "validate on the shipped example: $(tail -n 1 <<<"$out")"
else
    fail "validate on the shipped example exited non-zero: $out"
fi

# Port 0: the proxy reports where it listens; nothing fixed that another run could hold.
if out=$(QT_QPA_PLATFORM=offscreen timeout 60 "$bin" demo --duration 3 --listen 127.0.0.1:0 \
    --report "$tmp/report.json" 2>&1); then
    requests=$(sed -n 's/^ *"requests": \([0-9]*\),*$/\1/p' "$tmp/report.json" | head -n 1)
    if [[ ${requests:-0} -gt 0 ]]; then
        ok "demo --duration 3 (offscreen): ${requests} requests proxied and mirrored"
    else
        fail "demo ran but its report counts no requests: $(head -c 400 "$tmp/report.json")"
    fi
else
    fail "demo --duration 3 failed: $out"
fi

# --- desktop integration --------------------------------------------------------------------
if out=$(desktop-file-validate "$desktop" 2>&1) && [[ -z $out ]]; then
    ok "desktop-file-validate $(basename "$desktop")"
else
    fail "desktop-file-validate: $out"
fi
if out=$(appstreamcli validate --no-net "$metainfo" 2>&1); then
    ok "appstreamcli validate --no-net $(basename "$metainfo"): $(tail -n 1 <<<"$out")"
else
    fail "appstreamcli validate --no-net: $out"
fi
appId=$(basename "$metainfo" .metainfo.xml)
[[ $(basename "$desktop") == "$appId.desktop" ]] && grep -q "<launchable type=\"desktop-id\">$appId.desktop<" "$metainfo" &&
    ok "metainfo launchable = $appId.desktop" || fail "metainfo launchable does not name $(basename "$desktop")"
grep -q "<release version=\"$version\"" "$metainfo" && ok "metainfo release $version" ||
    fail "metainfo has no <release version=\"$version\">"
for shot in screenshot-run.png screenshot-editor.png; do
    grep -q "/docs/$shot<" "$metainfo" || fail "metainfo does not show docs/$shot"
done

# The workspace type: declared in the MIME package, offered by the desktop file, resolvable.
mimeType=$(sed -n 's/.*<mime-type type="\([^"]*\)".*/\1/p' "$mime")
mimeTypes=$(sed -n 's/^MimeType=//p' "$desktop")
for t in "$mimeType" application/x-yaml; do
    [[ -n $t && ";$mimeTypes" == *";$t;"* ]] || fail "desktop MimeType= lacks '$t': $mimeTypes"
done
ok "MimeType=$mimeTypes"
if command -v update-mime-database >/dev/null && [[ -f /usr/share/mime/packages/freedesktop.org.xml ]]; then
    mkdir -p "$tmp/mime/packages"
    cp /usr/share/mime/packages/freedesktop.org.xml "$mime" "$tmp/mime/packages/"
    if update-mime-database "$tmp/mime" >"$tmp/mime.log" 2>&1 &&
        grep -q ":$mimeType:\*\.mirrorscope\.yaml" "$tmp/mime/globs2"; then
        ok "update-mime-database: *.mirrorscope.yaml is $mimeType"
    else
        fail "update-mime-database does not map *.mirrorscope.yaml to $mimeType: $(cat "$tmp/mime.log")"
    fi
else
    echo "note: update-mime-database missing, MIME glob not resolved"
fi

icon=$(sed -n 's/^Icon=//p' "$desktop")
for size in 16 24 32 48 64 128 256; do
    png=$root/usr/share/icons/hicolor/${size}x${size}/apps/$icon.png
    if [[ ! -f $png ]]; then
        fail "no ${size}x${size} icon $icon.png"
        continue
    fi
    # PNG IHDR: width and height are the big-endian words at bytes 16..23.
    read -r w h < <(od -An -tu1 -j16 -N8 "$png" |
        awk '{ print ($1*16777216+$2*65536+$3*256+$4), ($5*16777216+$6*65536+$7*256+$8) }')
    [[ $w == "$size" && $h == "$size" ]] || fail "$icon.png in ${size}x${size} is ${w}x${h}"
done
ok "icon '$icon': scalable SVG + PNG 16..256"

# --- man page and completion stay true to --help ---------------------------------------------
commands=$(awk '{ sub(/^Usage:/, ""); if ($1 == "mirrorscope" && $2 ~ /^[a-z]+$/) print $2 }' \
    < <("$bin" --help) | sort -u)
manText=$(zcat "$man" | sed 's/\\-/-/g')
for c in $commands; do
    grep -q "^\.SS \"mirrorscope $c\"" <<<"$manText" || fail "man page has no section for '$c'"
    for opt in $("$bin" "$c" --help | grep -oE '^  (-[a-zA-Z], )?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+'); do
        grep -q -- "$opt" <<<"$manText" || fail "man page lacks $c $opt"
        grep -q -- "$opt" "$completion" || fail "bash completion lacks $c $opt"
    done
done
ok "every option of $(echo $commands) --help is in the man page and the completion"
if command -v man >/dev/null; then
    warnings=$(MANWIDTH=80 man --warnings -l "$man" 2>&1 >/dev/null)
    [[ -z $warnings ]] && ok "man -l renders without warnings" || fail "man page warnings: $warnings"
fi

# Completion as bash would run it: the function fills COMPREPLY for the words typed.
complete_words() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mirrorscope; echo "${COMPREPLY[*]}"' \
        _ "$completion" "$@"
}
[[ " $(complete_words mirrorscope '') " == *" validate "* ]] || fail "completion of 'mirrorscope ' lacks validate"
[[ $(complete_words mirrorscope validate --f) == --format ]] || fail "completion of 'validate --f' is not --format"
[[ $(complete_words mirrorscope export --api-version v1b) == v1beta1 ]] || fail "completion of --api-version v1b"
[[ " $(complete_words mirrorscope demo --) " == *" --rate "* ]] || fail "completion of 'demo --' lacks --rate"
ok "bash completion: commands, options, values"

if ((failures > 0)); then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all package checks passed"
