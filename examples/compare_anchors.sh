#!/usr/bin/env bash
# Times rnnkit's full SimpleRNN training step against the two anchors (raw oneDNN vanilla_rnn
# forward+backward, and libtorch's nn::RNN + Linear + MSE + Adam step), interleaved A B C A B C
# so that drifts of a shared machine hit all three alike, and prints the median ms/step per
# configuration with the ratios.
#
#   examples/compare_anchors.sh [build-dir] [threads] [repeats]
#
# Builds the anchors from Debian's packages with ../shared/anchors/build.sh (into
# <build-dir>/anchors) unless they are there already; rnnkit's benchmark must be built
# (cmake --build <build-dir> --target bench_simple_rnn).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
threads=${2:-$(nproc)}
repeats=${3:-3}
anchors_src=$here/../../shared/anchors
anchors=$build/anchors
bench=$build/examples/bench_simple_rnn

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

printf '%s, %s threads, median of %s interleaved runs\n' "$(date -u +%Y-%m-%d)" "$threads" "$repeats"
printf '%-18s %10s %10s %10s %12s %12s\n' "B T I H" "rnnkit" "oneDNN" "libtorch" "/oneDNN" "/libtorch"
for config in "${configs[@]}"; do
  read -r b t i h steps <<<"$config"
  ours=() onednn=() torch=()
  for _ in $(seq "$repeats"); do
    ours+=("$("$bench" "$b" "$t" "$i" "$h" "$steps" --threads "$threads" | ms_of)")
    onednn+=("$(OMP_NUM_THREADS=$threads "$anchors/onednn_rnn_bench" "$b" "$t" "$i" "$h" "$steps" | ms_of)")
    # libtorch at its best Debian BLAS: OpenBLAS picks its own kernels (see build.sh).
    torch+=("$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE THREADS=$threads \
      "$anchors/libtorch_rnn_bench" "$b" "$t" "$i" "$h" "$steps" | ms_of)")
  done
  m_ours=$(printf '%s\n' "${ours[@]}" | median)
  m_onednn=$(printf '%s\n' "${onednn[@]}" | median)
  m_torch=$(printf '%s\n' "${torch[@]}" | median)
  awk -v c="$b $t $i $h" -v r="$m_ours" -v o="$m_onednn" -v l="$m_torch" \
    'BEGIN {printf "%-18s %10.3f %10.3f %10.3f %11.2fx %11.2fx\n", c, r, o, l, r / o, r / l}'
done
