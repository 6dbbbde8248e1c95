#!/usr/bin/env bash
# Installs every Debian package rnnkit needs to build, test and benchmark.
# Idempotent: packages already present are left as they are. Debian builds oneDNN with its
# OpenCL GPU runtime, so its CMake package needs the OpenCL headers and loader to be found.
set -euo pipefail

packages=(
  g++ cmake make pkg-config
  libdnnl-dev ocl-icd-opencl-dev opencl-headers
  libeigen3-dev libboost-test-dev libfmt-dev nlohmann-json3-dev zlib1g-dev
  clang libclang-rt-dev libomp-dev
  libcli11-dev gnuplot-nox valgrind time
  libopenmpi-dev openmpi-bin
)

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"
