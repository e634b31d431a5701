#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then checks what a desktop and a user get:
# the layout, the menu entry (desktop-file-validate, Exec at the installed brigade), the
# AppStream data (appstreamcli validate), the man pages (groff, no warnings), no build
# paths in the installed files, and the installed brigade running a demo batch headless
# after the whole prefix has been moved (so it finds its worker and data beside itself).
#   check-install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" --strip >"$tmp/install.log" \
    || { cat "$tmp/install.log"; fail "cmake --install"; }

# The layout, GNU directories under the prefix.
expect=(bin/brigade bin/brigade-worker share/applications/brigade.desktop
        share/icons/hicolor/scalable/apps/brigade.svg share/mime/packages/brigade.xml
        share/man/man1/brigade.1.gz share/man/man1/brigade-worker.1.gz
        share/doc/brigade/README.md)
for size in 16 22 24 32 48 64 128 256; do
    expect+=("share/icons/hicolor/${size}x${size}/apps/brigade.png")
done
for f in "$src"/resources/demo/*.jsonl; do expect+=("share/brigade/demo/${f##*/}"); done
for f in "$src"/docs/*; do expect+=("share/doc/brigade/docs/${f##*/}"); done
if [ -d "$src/resources/python" ]; then
    while IFS= read -r f; do expect+=("share/brigade/python/${f#"$src/resources/python/"}"); done \
        < <(find "$src/resources/python" -type f ! -name '*.pyc' ! -path '*/__pycache__/*')
fi
for f in "${expect[@]}"; do [ -f "$prefix/$f" ] || fail "not installed: $f"; done
for f in bin/brigade bin/brigade-worker; do [ -x "$prefix/$f" ] || fail "not executable: $f"; done
metainfo=$(ls "$prefix"/share/metainfo/*.metainfo.xml) || fail "no AppStream metainfo"
echo "installed ${#expect[@]} expected files and $(basename "$metainfo")"

# Every PNG is the size its directory says (bytes 16-23 of a PNG: width, height).
for size in 16 22 24 32 48 64 128 256; do
    png=$prefix/share/icons/hicolor/${size}x${size}/apps/brigade.png
    [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$png is no PNG"
    dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{ print $3 * 256 + $4 "x" $7 * 256 + $8 }')
    [ "$dims" = "${size}x${size}" ] || fail "$png is $dims"
done

# The menu entry: valid, and starting this installation's brigade.
desktop=$prefix/share/applications/brigade.desktop
desktop-file-validate "$desktop" || fail "desktop-file-validate $desktop"
grep -qx "Exec=$prefix/bin/brigade %f" "$desktop" || fail "Exec is not $prefix/bin/brigade: $(grep ^Exec "$desktop")"
grep -qx "TryExec=$prefix/bin/brigade" "$desktop" || fail "TryExec is not $prefix/bin/brigade"

# AppStream: valid (offline), launching this desktop entry, with the version's release.
appstreamcli validate --no-net --pedantic "$metainfo" || fail "appstreamcli validate $metainfo"
grep -q '<launchable type="desktop-id">brigade.desktop</launchable>' "$metainfo" \
    || fail "metainfo does not launch brigade.desktop"
grep -q '<screenshot type="default">' "$metainfo" || fail "metainfo has no screenshot"
version=$("$prefix/bin/brigade" --version | awk '{ print $2 }')
grep -q "<release version=\"$version\"" "$metainfo" || fail "metainfo has no release $version"

# The man pages: groff finds nothing to warn about, and they hold the options of --help.
for page in brigade brigade-worker; do
    warnings=$(zcat "$prefix/share/man/man1/$page.1.gz" | groff -man -ww -z -Tutf8 2>&1)
    [ -z "$warnings" ] || fail "$page.1: $warnings"
    shown=$(zcat "$prefix/share/man/man1/$page.1.gz" | groff -man -Tutf8 -P-cbou 2>/dev/null)
    for option in $("$prefix/bin/$page" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
        grep -qF -- "$option" <<<"$shown" || fail "$page.1 lacks $option from --help"
    done
done

# Nothing refers back to the build or source tree (build paths in a sanitizer build's
# binaries are the sanitizer's own file names: not checked there).
sanitized=0
if ldd "$prefix/bin/brigade" | grep -qE 'lib(a|ub|t)san'; then sanitized=1; fi
while IFS= read -r f; do
    case "$f" in *.png|*.gz) continue ;; esac
    case "$f" in */bin/*) [ "$sanitized" = 1 ] && continue ;; esac
    if strings "$f" | grep -qF -e "$build" -e "$src"; then
        fail "$f holds a build-tree path: $(strings "$f" | grep -F -e "$build" -e "$src" | head -3)"
    fi
done < <(find "$prefix" -type f)
[ "$sanitized" = 1 ] && echo "(sanitizer build: binaries not searched for build paths)"

# Moved elsewhere, with a bare environment, the installation still runs a demo batch:
# workers from its own bin/, the batch from its own share/.
moved=$tmp/moved
mv "$prefix" "$moved"
mkdir "$tmp/home" "$tmp/cwd"
out=$tmp/results.jsonl
(cd "$tmp/cwd" && env -i HOME="$tmp/home" PATH=/usr/bin:/bin LANG=C.UTF-8 \
    ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} \
    "$moved/bin/brigade" run "$moved/share/brigade/demo/quick.jsonl" --progress none -o "$out") \
    || fail "installed brigade run quick.jsonl exited $?"
tasks=$(grep -c '"id"' "$moved/share/brigade/demo/quick.jsonl")
[ "$(grep -c '"status":"succeeded"' "$out")" = "$tasks" ] || fail "not all $tasks tasks succeeded"
ls "$tmp"/home/.local/share/brigade/journals/quick-*.journal >/dev/null || fail "no journal written"
[ "$("$moved/bin/brigade-worker" --version)" = "brigade-worker $version" ] || fail "brigade-worker --version"
echo "installed brigade $version ran quick.jsonl from a moved prefix: $tasks tasks succeeded"
