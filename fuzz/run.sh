#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), seeded from the project's own test
# data. Crashes land in fuzz/artifacts/<target>/; see README.md for what to do with them.
#
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(page statuspage_json atom csv)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1   # cargo fuzz needs nightly flags; the stable toolchain accepts them so

seed() {
  mkdir -p "corpus/$1"
  shift
  for f in "$@"; do [ -f "$f" ] && cp "$f" "corpus/${target}/" || true; done
}
for target in "${targets[@]}"; do
  case "$target" in
    page) seed page ../tests/data/pages/* ;;
    statuspage_json) seed statuspage_json ../tests/data/statuspage/* ../tests/data/platforms/* ../tests/data/bad/*.json ../tests/data/bad/*.ndjson ;;
    atom) seed atom ../tests/data/atom/*.atom ;;
    csv) seed csv ../tests/data/*.csv ../tests/data/bad/*.csv ../tests/data/presets/*.csv ../tests/data/with-impacts/*.csv ;;
  esac
  echo "== fuzzing $target for ${seconds}s"
  cargo fuzz run "$target" -s none "corpus/$target" -- -max_total_time="$seconds" -max_len=65536 -timeout=20
done
