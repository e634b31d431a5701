#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a bounded time:
#   bash tests/fuzz/run.sh [seconds per target, default 60] [target ...]
# Configures build-fuzz (clang, -DBRIGADE_FUZZ=ON) beside the sources. Seeds come from
# tests/fuzz/corpus/{batch,frames}; what the fuzzer learns goes to build-fuzz/corpus/, and
# a crashing input to build-fuzz/artifacts/ (reproduce: build-fuzz/fuzz/fuzz_<name> FILE).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(batchparser frames)
build="${BRIGADE_FUZZ_BUILD:-$root/build-fuzz}"
jobs="${BRIGADE_FUZZ_JOBS:-2}"

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBRIGADE_FUZZ=ON -DBRIGADE_BUILD_WINDOW=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target $(printf 'fuzz_%s ' "${targets[@]}")

mkdir -p "$build/artifacts"
status=0
for name in "${targets[@]}"; do
    seeds="$root/tests/fuzz/corpus/${name%parser}" # batchparser: corpus/batch
    corpus="$build/corpus/$name"
    mkdir -p "$corpus"
    dict=()
    [ -f "$root/tests/fuzz/$name.dict" ] && dict=(-dict="$root/tests/fuzz/$name.dict")
    log="$build/fuzz_$name.log"
    echo "== fuzz_$name for ${seconds}s (seeds: ${seeds#$root/})"
    # The new corpus directory comes first: libFuzzer writes what it finds there, never
    # into the seeds in the repository.
    if ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$build/fuzz/fuzz_$name" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$name-" "${dict[@]}" \
        "$corpus" "$seeds" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        echo "fuzz_$name: $runs runs, $rate exec/s, $cov, corpus $(ls "$corpus" | wc -l) files"
    else
        status=1
        echo "fuzz_$name FAILED; the end of $log:"
        tail -60 "$log"
        ls -1 "$build/artifacts/$name-"* 2>/dev/null | sed 's/^/crashing input: /' || true
    fi
done
exit $status
