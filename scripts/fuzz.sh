#!/bin/sh
# Builds each libFuzzer target with the fuzzer and address sanitizers and
# runs it for a fixed number of executions. Fails unless every target ends
# with libFuzzer's "Done N runs" line. Crash inputs are written to
# .build/fuzz-artifacts; turn each into a regression test.
#   FUZZ_RUNS   executions per target (default 20000)
#   FUZZ_BUILD  scratch path of the fuzz build (default .build/fuzz)
set -u
runs=${FUZZ_RUNS:-20000}
build=${FUZZ_BUILD:-.build/fuzz}
swift=${SWIFT:-swift}
artifacts=.build/fuzz-artifacts
mkdir -p "$artifacts"
status=0
for target in fuzz-csv fuzz-parsers fuzz-lua-values; do
    CRM_FUZZ=1 $swift build -c debug --scratch-path "$build" --product "$target" \
        -Xswiftc -sanitize=fuzzer,address || exit 1
    corpus=$(mktemp -d)
    case $target in
        fuzz-csv) cp Tests/CRMCoreTests/Fixtures/import/*.csv "$corpus"/ ;;
        fuzz-parsers) printf '\0001234,56' > "$corpus/money"; printf '\0012026-02-28' > "$corpus/date" ;;
        fuzz-lua-values) cp plugins/*.lua "$corpus"/ ;;
    esac
    log="$artifacts/$target.log"
    # Static tables live until exit by design, so leak detection is off.
    ASAN_OPTIONS=detect_leaks=0 "$build/debug/$target" -runs="$runs" -detect_leaks=0 -artifact_prefix="$artifacts/$target-" "$corpus" > "$log" 2>&1
    rm -rf "$corpus"
    if grep -q "^Done $runs runs" "$log"; then
        echo "$target: $(grep "^Done $runs runs" "$log")"
    else
        echo "$target: FAILED, see $log" >&2
        tail -20 "$log" >&2
        status=1
    fi
done
exit $status
