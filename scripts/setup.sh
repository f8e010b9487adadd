#!/usr/bin/env bash
# Installs everything the kit uses on a fresh Debian machine: Debian's Jupyter (notebooks),
# Chromium (figure PNG export), PyTorch (the bench's reference), Redis (the scoring queue of
# `--queue` / `oms-dpm worker`, and its tests; not started here), the npm packages, and the
# project-local tslab kernel. Idempotent; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="jupyter-nbconvert jupyter-notebook python3-ipykernel chromium python3-torch redis-server"
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

missing=""
for p in $APT_PACKAGES; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi

# onnxruntime-node's post-install only fetches optional CUDA files (offline it fails): skip it.
# @tensorflow/tfjs-node-gpu is optional: it installs where libtensorflow can be downloaded.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

# The figures' HTML pages load plotly from results/assets/ (copied from the npm package, not committed).
mkdir -p results/assets && cp node_modules/plotly.js-dist/plotly.js results/assets/plotly.js

# The tslab kernel, registered inside the project (the kernelspec holds absolute paths).
node scripts/install-kernel.js
echo "setup: done"
