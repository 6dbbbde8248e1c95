#!/usr/bin/env bash
# Times rnnkit's default thread choice against one and two fixed threads on a machine that
# other processes keep busy: with no competing process, then with one and with two busy loops
# (`yes > /dev/null`, started and killed here), runs sine_forecast with its defaults and one
# bench_simple_rnn configuration, and prints each one's time, the default's ratio to the better
# fixed count, and whether the three settings gave the same result.
#
#   examples/compare_busy.sh [build-dir] [repeats] [seconds-per-run]
#
# repeats: runs of each setting, interleaved, the median kept (default 1). A run that takes
# longer than seconds-per-run (default 120) is stopped and shown as ">N". The programs must be
# built (cmake --build <build-dir> --target sine_forecast bench_simple_rnn).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
repeats=${2:-1}
limit=${3:-120}
sine=$build/examples/sine_forecast
bench=$build/examples/bench_simple_rnn
bench_config=(64 100 32 128 50)

for program in "$sine" "$bench"; do
  [ -x "$program" ] || { echo "compare_busy: build $program first" >&2; exit 1; }
done

out=$(mktemp -d)
busy=()
stop_busy() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${busy[@]}"; do wait "$pid" 2>/dev/null || true; done
  busy=()
}
trap 'stop_busy; rm -rf "$out"' EXIT
trap 'exit 130' INT TERM

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# One run: prints "<measure> <result>" (seconds and the test mse for sine_forecast, ms/step and
# the loss-free line for the benchmark), or ">limit -" when stopped.
run_sine() {
  local start end line
  start=$(date +%s.%N)
  if ! line=$(timeout "$limit" "$sine" --no-plot --out-dir "$out" --verbose 0 "$@" | tail -1); then
    echo ">$limit -"
    return
  fi
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v r="$(sed -n 's/.*test mse \([0-9.]*\).*/\1/p' <<<"$line")" \
    'BEGIN {printf "%.2f %s\n", e - s, r}'
}
run_bench() {
  local line
  if ! line=$(timeout "$limit" "$bench" "${bench_config[@]}" "$@"); then
    echo ">$limit -"
    return
  fi
  sed -n 's/.*: \([0-9.]*\) ms\/step.*/\1 -/p' <<<"$line"
}

# The median of a setting's runs; a stopped run counts as the limit, and is shown as ">limit"
# when it is the median.
summary() {
  local values
  values=$(awk '{v = $1; sub(/^>/, "", v); print v}' <<<"$1")
  local m
  m=$(median <<<"$values")
  if grep -q '^>' <<<"$1" && awk -v m="$m" -v l="$limit" 'BEGIN {exit !(m >= l)}'; then
    echo ">$limit"
  else
    echo "$m"
  fi
}

ratio() {
  awk -v d="$1" -v a="$2" -v b="$3" 'BEGIN {
    if (d ~ /^>/) { print "-"; exit }
    best = 1e300
    if (a !~ /^>/ && a < best) best = a
    if (b !~ /^>/ && b < best) best = b
    if (best == 1e300) print "-"; else printf "%.2fx\n", d / best }'
}

printf '%s, %s cores, median of %s interleaved runs, runs stopped after %s s\n' \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$repeats" "$limit"
printf '%-10s %-26s %8s %9s %9s %9s %10s %6s\n' "busy" "program" "load" "default" "1 thread" \
  "2 threads" "def/best" "same"
for competitors in 0 1 2; do
  stop_busy
  for _ in $(seq "$competitors"); do
    yes >/dev/null &
    busy+=("$!")
  done
  sleep 2
  for program in sine bench; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    declare -A runs=() results=()
    for _ in $(seq "$repeats"); do
      for setting in 0 1 2; do
        read -r measure result <<<"$("run_$program" --threads "$setting")"
        runs[$setting]+="$measure"$'\n'
        results[$setting]+="$result"$'\n'
      done
    done
    d=$(summary "${runs[0]}") one=$(summary "${runs[1]}") two=$(summary "${runs[2]}")
    same=$(printf '%s' "${results[0]}${results[1]}${results[2]}" | { grep -v '^-$' || true; } | sort -u |
      awk 'END {print (NR == 0) ? "-" : (NR == 1) ? "yes" : "no"}')
    [ "$program" = sine ] && label="sine_forecast (s)" || label="bench ${bench_config[*]:0:4} (ms)"
    printf '%-10s %-26s %8s %9s %9s %9s %10s %6s\n' "$competitors" "$label" "$load" "$d" "$one" \
      "$two" "$(ratio "$d" "$one" "$two")" "$same"
    unset runs results
  done
done
