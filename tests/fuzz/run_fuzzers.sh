#!/usr/bin/env bash
# Runs every libFuzzer target of a RNNKIT_FUZZ build for a bounded time, each on a scratch copy
# of its committed seed corpus (tests/fuzz/corpus/<target>/), and fails on the first crash,
# sanitizer report, leak, timeout or out-of-memory, naming the target and keeping its reproducer.
#   tests/fuzz/run_fuzzers.sh <build-dir> [seconds per target, default 60]
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 <build-dir> [seconds per target (default 60)]" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
targets=(load_archive load_weights load_model model_from_json deserialize)

work=$(mktemp -d "${TMPDIR:-/tmp}/rnnkit-fuzz.XXXXXX")
echo "fuzzing ${#targets[@]} targets for ${seconds} s each; scratch corpora and logs in ${work}"
failed=()
for target in "${targets[@]}"; do
  binary="${build}/tests/fuzz/fuzz_${target}"
  if [ ! -x "${binary}" ]; then
    echo "FAIL fuzz_${target}: ${binary} is missing (configure with -DRNNKIT_FUZZ=ON and build)" >&2
    failed+=("fuzz_${target}")
    continue
  fi
  corpus="${work}/${target}/corpus"
  mkdir -p "${corpus}" "${work}/${target}/artifacts"
  cp "${here}/corpus/fuzz_${target}/"* "${corpus}/"
  log="${work}/${target}/log.txt"
  # OMP_NUM_THREADS=1: oneDNN's OpenMP teams would only slow the single-threaded fuzzer down.
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 OMP_NUM_THREADS=1 \
    "${binary}" -max_total_time="${seconds}" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="${work}/${target}/artifacts/" -print_final_stats=1 "${corpus}" \
    > "${log}" 2>&1; then
    echo "ok   fuzz_${target}: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "${log}" |
      grep -o '[0-9]*$') runs"
  else
    status=$?
    echo "FAIL fuzz_${target} (exit ${status}); the end of its log ${log}:" >&2
    tail -n 60 "${log}" >&2
    echo "reproducers: $(ls "${work}/${target}/artifacts/")" >&2
    failed+=("fuzz_${target}")
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzzing passed"
