#!/usr/bin/env bash
# Times rnnkit's full SimpleRNN training step against the two anchors (raw oneDNN vanilla_rnn
# forward+backward, and libtorch's nn::RNN + Linear + MSE + Adam step), interleaved A B C A B C
# so that drifts of a shared machine hit all alike, and prints the median ms/step per
# configuration with the ratios.
#
#   examples/compare_anchors.sh [build-dir] [threads] [repeats]
#
# threads: a number runs all three on that many threads; "auto" runs rnnkit with its
# per-problem thread choice and compares it with rnnkit and oneDNN on one thread and on every
# core, each at its better count, then checks the stepped path against the fused one, the
# scaling in T, the peak memory against libtorch's and the GEMM ceiling of the large
# configurations. Builds the anchors from Debian's packages with ../shared/anchors/build.sh
# (into <build-dir>/anchors) unless they are there already; rnnkit's benchmarks must be built
# (cmake --build <build-dir> --target bench_simple_rnn bench_matmul).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
threads=${2:-auto}
repeats=${3:-3}
anchors_src=$here/../../shared/anchors
anchors=$build/anchors
bench=$build/examples/bench_simple_rnn
gemm_bench=$build/examples/bench_matmul
cores=$(nproc)

[ -x "$bench" ] || { echo "compare_anchors: build $bench first" >&2; exit 1; }
if [ ! -x "$anchors/onednn_rnn_bench" ] || [ ! -x "$anchors/libtorch_rnn_bench" ]; then
  bash "$anchors_src/build.sh" "$anchors"
fi

# B T I H steps: the configurations of the performance targets.
configs=(
  "32 50 16 64 200"
  "64 100 32 128 50"
  "128 100 64 256 20"
  "16 400 8 32 50"
  "256 50 128 512 10"
)

ms_of() { sed -n 's/.*: \([0-9.]*\) ms\/step.*/\1/p'; }
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
min() { awk 'NR == 1 || $1 < m {m = $1} END {print m}'; }
rnnkit() { "$bench" "$@" | ms_of; }
onednn() { OMP_NUM_THREADS=$1 "$anchors/onednn_rnn_bench" "${@:2}" | ms_of; }
# libtorch at its best Debian BLAS: OpenBLAS picks its own kernels (see build.sh).
libtorch() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE THREADS=$1 "$anchors/libtorch_rnn_bench" "${@:2}" | ms_of; }

if [ "$threads" != auto ]; then
  printf '%s, %s threads, median of %s interleaved runs\n' "$(date -u +%Y-%m-%d)" "$threads" "$repeats"
  printf '%-18s %10s %10s %10s %12s %12s\n' "B T I H" "rnnkit" "oneDNN" "libtorch" "/oneDNN" "/libtorch"
  for config in "${configs[@]}"; do
    read -r b t i h steps <<<"$config"
    ours=() ref=() torch=()
    for _ in $(seq "$repeats"); do
      ours+=("$(rnnkit "$b" "$t" "$i" "$h" "$steps" --threads "$threads")")
      ref+=("$(onednn "$threads" "$b" "$t" "$i" "$h" "$steps")")
      torch+=("$(libtorch "$threads" "$b" "$t" "$i" "$h" "$steps")")
    done
    awk -v c="$b $t $i $h" -v r="$(printf '%s\n' "${ours[@]}" | median)" \
      -v o="$(printf '%s\n' "${ref[@]}" | median)" -v l="$(printf '%s\n' "${torch[@]}" | median)" \
      'BEGIN {printf "%-18s %10.3f %10.3f %10.3f %11.2fx %11.2fx\n", c, r, o, l, r / o, r / l}'
  done
  exit 0
fi

# Automatic: rnnkit's default against rnnkit and the anchors at their better thread count.
printf '%s, rnnkit automatic threads vs 1 and %s threads, median of %s interleaved runs\n' \
  "$(date -u +%Y-%m-%d)" "$cores" "$repeats"
printf '%-18s %8s %8s %8s %8s %8s %9s %9s %10s %10s %10s\n' "B T I H" "auto" "rnnkit1" \
  "rnnkitN" "oneDNN1" "oneDNNN" "torch1" "torchN" "/best own" "/best dnn" "/best torch"
declare -A auto_of=() best_torch_of=()
for config in "${configs[@]}"; do
  read -r b t i h steps <<<"$config"
  declare -A runs=()
  for _ in $(seq "$repeats"); do
    runs[auto]+="$(rnnkit "$b" "$t" "$i" "$h" "$steps") "
    runs[own1]+="$(rnnkit "$b" "$t" "$i" "$h" "$steps" --threads 1) "
    runs[ownN]+="$(rnnkit "$b" "$t" "$i" "$h" "$steps" --threads "$cores") "
    runs[dnn1]+="$(onednn 1 "$b" "$t" "$i" "$h" "$steps") "
    runs[dnnN]+="$(onednn "$cores" "$b" "$t" "$i" "$h" "$steps") "
    runs[torch1]+="$(libtorch 1 "$b" "$t" "$i" "$h" "$steps") "
    runs[torchN]+="$(libtorch "$cores" "$b" "$t" "$i" "$h" "$steps") "
  done
  declare -A m=()
  for k in auto own1 ownN dnn1 dnnN torch1 torchN; do m[$k]=$(tr ' ' '\n' <<<"${runs[$k]}" | sed '/^$/d' | median); done
  best_own=$(printf '%s\n' "${m[own1]}" "${m[ownN]}" | min)
  best_dnn=$(printf '%s\n' "${m[dnn1]}" "${m[dnnN]}" | min)
  best_torch=$(printf '%s\n' "${m[torch1]}" "${m[torchN]}" | min)
  auto_of["$b $t $i $h"]=${m[auto]}
  best_torch_of["$b $t $i $h"]=$best_torch
  awk -v c="$b $t $i $h" -v a="${m[auto]}" -v r1="${m[own1]}" -v rn="${m[ownN]}" \
    -v o1="${m[dnn1]}" -v on="${m[dnnN]}" -v l1="${m[torch1]}" -v ln="${m[torchN]}" \
    -v bo="$best_own" -v bd="$best_dnn" -v bt="$best_torch" \
    'BEGIN {printf "%-18s %8.3f %8.3f %8.3f %8.3f %8.3f %9.3f %9.3f %9.2fx %9.2fx %9.2fx\n",
            c, a, r1, rn, o1, on, l1, ln, a / bo, a / bd, a / bt}'
  unset runs m
done

# The other targets, each from interleaved runs of rnnkit's default.
printf '\nStepped path (recurrent dropout, a mask with holes) against the fused path, median of %s\n' "$repeats"
printf '%-18s %8s %8s %8s %8s %8s\n' "B T I H" "fused" "rdrop" "/fused" "holes" "/fused"
for config in "32 50 16 64 200" "64 100 32 128 50"; do
  read -r b t i h steps <<<"$config"
  declare -A runs=()
  for _ in $(seq "$repeats"); do
    runs[fused]+="$(rnnkit "$b" "$t" "$i" "$h" "$steps") "
    runs[rdrop]+="$(rnnkit "$b" "$t" "$i" "$h" "$steps" --recurrent-dropout 0.2) "
    runs[holes]+="$(rnnkit "$b" "$t" "$i" "$h" "$steps" --mask holes) "
  done
  declare -A m=()
  for k in fused rdrop holes; do m[$k]=$(tr ' ' '\n' <<<"${runs[$k]}" | sed '/^$/d' | median); done
  awk -v c="$b $t $i $h" -v f="${m[fused]}" -v r="${m[rdrop]}" -v o="${m[holes]}" \
    'BEGIN {printf "%-18s %8.3f %8.3f %7.2fx %8.3f %7.2fx\n", c, f, r, r / f, o, o / f}'
  unset runs m
done

printf '\nScaling in T (B=32 I=16 H=64), median of %s\n' "$repeats"
short=() long=()
for _ in $(seq "$repeats"); do
  short+=("$(rnnkit 32 50 16 64 200)")
  long+=("$(rnnkit 32 400 16 64 25)")
done
awk -v s="$(printf '%s\n' "${short[@]}" | median)" -v l="$(printf '%s\n' "${long[@]}" | median)" \
  'BEGIN {printf "T=50 %.3f ms, T=400 %.3f ms: %.2f of 8x the T=50 time\n", s, l, l / (8 * s)}'

# Peak resident memory of a whole run, from the kernel's accounting of the finished process.
if [ -x /usr/bin/time ]; then
  peak_mib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1 / 1024}'; }
  printf '\nPeak resident memory, B=128 T=100 I=64 H=256, 20 steps: rnnkit %s MiB, libtorch %s MiB\n' \
    "$(peak_mib "$bench" 128 100 64 256 20)" \
    "$(peak_mib env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE THREADS="$cores" \
      "$anchors/libtorch_rnn_bench" 128 100 64 256 20)"
fi

# The GEMM ceiling: a step is 6*B*T*H*(I+H) FLOPs of GEMMs (input and recurrent products,
# forward and backward), so at the machine's best GEMM rate it takes at least that long.
if [ -x "$gemm_bench" ]; then
  rate=$("$gemm_bench" 2048 | sed -n 's/.*: \([0-9.]*\) GFLOP\/s.*/\1/p')
  printf '\nGEMM ceiling: best float32 GEMM rate %s GFLOP/s (2048^3, %s threads)\n' "$rate" "$cores"
  printf '%-18s %8s %12s %8s %14s\n' "B T I H" "GFLOP" "ms at best" "rnnkit" "libtorch / 2"
  for config in "128 100 64 256" "256 50 128 512"; do
    read -r b t i h <<<"$config"
    awk -v c="$config" -v b="$b" -v t="$t" -v i="$i" -v h="$h" -v r="$rate" \
      -v a="${auto_of[$config]}" -v l="${best_torch_of[$config]}" \
      'BEGIN {g = 6 * b * t * h * (i + h) / 1e9;
              printf "%-18s %8.2f %12.1f %8.1f %14.1f\n", c, g, g / r * 1e3, a, l / 2}'
  done
fi
