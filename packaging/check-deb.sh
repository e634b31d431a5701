#!/usr/bin/env bash
# Proves the Debian packages on a fresh Debian 12: builds them (cpack -G DEB in BUILD_DIR),
# makes a minimal Debian 12 root with mmdebstrap, and there, as a user would:
#   1. apt-get install ./brigade-worker_*.deb alone, as on a compute node: it runs
#      (--version, and starts and stops cleanly as a worker) with no Qt GUI library around;
#   2. apt-get install ./brigade_*.deb: brigade runs the installed demo batches headless
#      with exit 0 (journal included), opens its window (offscreen) on one, and its menu
#      entry starts the installed /usr/bin/brigade;
#   3. apt-get remove brigade leaves a working brigade-worker.
#
#   packaging/check-deb.sh [BUILD_DIR]     # default: build
#
# Root only (mmdebstrap, chroot, mount), on a machine that reaches Debian's archive. Takes
# ~1-2 min for the root and ~1-2 min for the packages and runs (see the timings it prints).
# Environment: CHECK_DEB_ROOT (where the root is made), CHECK_DEB_LOG (apt's output),
# CHECK_DEB_DEMOS (installed demo batches that must end with exit 0; default
# "quick.jsonl demo.jsonl"), CHECK_DEB_KEEP=1 (keep the root afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root (mmdebstrap, chroot, mount)" >&2; exit 2; }
root=${CHECK_DEB_ROOT:-${TMPDIR:-/tmp}/brigade-deb-root}
log=${CHECK_DEB_LOG:-${TMPDIR:-/tmp}/brigade-check-deb.log}
demos=${CHECK_DEB_DEMOS:-quick.jsonl demo.jsonl}
command -v mmdebstrap >/dev/null || { echo "mmdebstrap is missing (bash .ci/install-deps)" >&2; exit 2; }
start=$SECONDS
step_start=$SECONDS
step() { echo "-- $1 ($((SECONDS - step_start)) s)"; step_start=$SECONDS; }
fail() { echo "FAIL: $*" >&2; echo "(apt and command output: $log)" >&2; exit 1; }

unmount_all() {
    awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r \
        | while read -r m; do umount -l "$m" 2>/dev/null || true; done
}
cleanup() {
    unmount_all
    [ "${CHECK_DEB_KEEP:-0}" = 1 ] || rm -rf "$root"
}
trap cleanup EXIT
: >"$log"

(cd "$build" && rm -f ./*.deb && cpack -G DEB >>"$log" 2>&1) || fail "cpack -G DEB in $build"
app_deb=$(ls "$build"/brigade_*.deb)
worker_deb=$(ls "$build"/brigade-worker_*.deb)
version=$(dpkg-deb -f "$app_deb" Version)
step "built $(basename "$app_deb") and $(basename "$worker_deb")"

unmount_all
rm -rf "$root"
mmdebstrap --variant=minbase bookworm "$root" >>"$log" 2>&1 || fail "mmdebstrap"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
mkdir -p "$root/tmp/debs"
cp "$app_deb" "$worker_deb" "$root/tmp/debs/"
chmod -R a+rX "$root/tmp/debs"
in_root() {
    chroot "$root" env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
in_root apt-get update -qq >>"$log" 2>&1 || fail "apt-get update in the fresh root"
step "fresh Debian 12 root in $root"

# 1. The worker package alone, as on a compute node.
packages_before=$(in_root dpkg-query -W -f='${Package}\n' | wc -l)
in_root apt-get install -y --no-install-recommends "/tmp/debs/$(basename "$worker_deb")" >>"$log" 2>&1 \
    || fail "apt-get install ./$(basename "$worker_deb")"
packages_worker=$(in_root dpkg-query -W -f='${Package}\n' | wc -l)
[ "$(in_root brigade-worker --version)" = "brigade-worker ${version%-*}" ] \
    || fail "brigade-worker --version said: $(in_root brigade-worker --version 2>&1)"
# Started as the engine starts it, it says hello on stdout and leaves when stdin closes.
hello=$(in_root sh -c 'brigade-worker </dev/null | wc -c') || fail "brigade-worker with stdin closed"
[ "$hello" -gt 0 ] || fail "brigade-worker wrote no hello frame"
for gui in libqt6gui6 libqt6widgets6; do
    if in_root dpkg-query -W -f='${Status}' "$gui" 2>/dev/null | grep -q "ok installed"; then
        fail "the worker package pulled in $gui"
    fi
done
step "brigade-worker alone: $((packages_worker - packages_before)) packages installed, no Qt GUI, --version and a clean start and stop"

# 2. The application.
in_root apt-get install -y --no-install-recommends "/tmp/debs/$(basename "$app_deb")" >>"$log" 2>&1 \
    || fail "apt-get install ./$(basename "$app_deb")"
packages_app=$(in_root dpkg-query -W -f='${Package}\n' | wc -l)
[ "$(in_root brigade --version)" = "brigade ${version%-*}" ] || fail "brigade --version"
step "brigade: $((packages_app - packages_worker)) more packages installed"

for demo in $demos; do
    batch=/usr/share/brigade/demo/$demo
    [ -f "$root$batch" ] || fail "$batch is not installed"
    # Headless (no display), journal on, as `brigade run` does by default.
    rc=0
    in_root sh -c "cd /tmp && brigade run $batch --progress plain -o /tmp/$demo.out" >>"$log" 2>&1 || rc=$?
    [ "$rc" = 0 ] || fail "brigade run $batch exited $rc"
    tasks=$(grep -c '"id"' "$root$batch")
    records=$(wc -l <"$root/tmp/$demo.out")
    [ "$records" = "$tasks" ] || fail "$demo: $records records for $tasks tasks"
    ls "$root"/root/.local/share/brigade/journals/"${demo%.jsonl}"-*.journal >/dev/null 2>&1 \
        || fail "$demo: no journal written"
    step "brigade run $batch: exit 0, $records records, journal written"
done

# The window (offscreen: no display here) opens a demo, runs it and saves a screenshot.
in_root env QT_QPA_PLATFORM=offscreen BRIGADE_AUTORUN=1 BRIGADE_SCREENSHOT=/tmp/window.png:4000 \
    brigade /usr/share/brigade/demo/quick.jsonl >>"$log" 2>&1 || fail "the window (offscreen) failed"
[ -s "$root/tmp/window.png" ] || fail "the window saved no screenshot"
# The plugins Qt loads at run time, which no library dependency names.
for plugin in sqldrivers/libqsqlite.so iconengines/libqsvgicon.so platforms/libqxcb.so; do
    ls "$root"/usr/lib/*/qt6/plugins/$plugin >/dev/null 2>&1 || fail "Qt plugin $plugin missing"
done
step "the window ran quick.jsonl offscreen; SQLite, SVG and xcb plugins present"

# The menu entry starts the installed brigade, and passes desktop-file-validate.
desktop=/usr/share/applications/brigade.desktop
exec_line=$(grep '^Exec=' "$root$desktop") || fail "$desktop has no Exec"
[ "$exec_line" = "Exec=/usr/bin/brigade %f" ] || fail "$desktop: $exec_line"
[ "$(in_root dpkg-query -S /usr/bin/brigade)" = "brigade: /usr/bin/brigade" ] || fail "/usr/bin/brigade is not brigade's"
[ -f "$root/usr/share/icons/hicolor/48x48/apps/brigade.png" ] || fail "no 48x48 icon"
in_root apt-get install -y --no-install-recommends desktop-file-utils >>"$log" 2>&1 || fail "apt-get install desktop-file-utils"
in_root desktop-file-validate "$desktop" >>"$log" 2>&1 || fail "desktop-file-validate $desktop"
step "$desktop: $exec_line, valid"

# 3. Removing the application leaves the worker working.
in_root apt-get remove -y brigade >>"$log" 2>&1 || fail "apt-get remove brigade"
[ ! -e "$root/usr/bin/brigade" ] || fail "/usr/bin/brigade is still there"
[ "$(in_root brigade-worker --version)" = "brigade-worker ${version%-*}" ] || fail "brigade-worker after removing brigade"
step "apt-get remove brigade: brigade-worker still runs"

echo "check-deb: all passed in $((SECONDS - start)) s"
