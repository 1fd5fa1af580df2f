#!/usr/bin/env bash
# Times, in one run on one generated file: mttx report --formats csv, the same report as
# DuckDB SQL (bench/peers/duckdb_report.py), and the floor (polars reading the CSV and parsing
# its six timestamp columns). Checks that mttx and DuckDB wrote the same metrics.csv and
# availability.csv, then prints wall time, peak memory and the ratios. Also times Parquet input
# and the full report (HTML and charts). See docs/performance.md.
#
#   bench/compare.sh [INCIDENTS]      default 1000000
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mttx-target}"
cargo build --release --locked --quiet
mttx="$CARGO_TARGET_DIR/release/mttx"
python3 -c 'import duckdb, polars' 2>/dev/null || python3 -m pip install --quiet duckdb polars

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$mttx" generate --incidents "$n" --vendors 60 --seed 1 -o "$work/incidents.csv"
"$mttx" generate --incidents "$n" --vendors 60 --seed 1 -o "$work/incidents.parquet"
echo "input: $n incidents, $(du -m "$work/incidents.csv" | cut -f1) MB CSV, $(du -m "$work/incidents.parquet" | cut -f1) MB Parquet; $(nproc) cores"

# measure NAME COMMAND...: wall seconds and peak RSS (MB) into $work/NAME.time
measure() {
  local name="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" >/dev/null 2>"$work/$name.err" ||
    { cat "$work/$name.err"; exit 1; }
}
measure mttx "$mttx" report "$work/incidents.csv" --out "$work/mttx" --formats csv --quiet
measure duckdb python3 bench/peers/duckdb_report.py "$work/incidents.csv" "$work/duckdb"
measure floor python3 bench/peers/polars_floor.py "$work/incidents.csv"
measure parquet "$mttx" report "$work/incidents.parquet" --out "$work/parquet" --formats csv --quiet
measure full "$mttx" report "$work/incidents.csv" --out "$work/full" --quiet

for f in metrics.csv availability.csv; do
  if ! diff <(sort "$work/mttx/$f") <(sort "$work/duckdb/$f") >"$work/diff"; then
    echo "mttx and DuckDB disagree on $f:"
    head -20 "$work/diff"
    exit 1
  fi
done
echo "mttx and DuckDB agree on metrics.csv and availability.csv"

python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
t = {}
for name in ["mttx", "duckdb", "floor", "parquet", "full"]:
    wall, kb = open(f"{work}/{name}.time").read().split()[:2]
    t[name] = (float(wall), int(kb) / 1024)
print(f"{'run':<34}{'wall s':>8}{'peak MB':>10}")
labels = {
    "mttx": "mttx report --formats csv",
    "duckdb": "DuckDB peer (same files)",
    "floor": "floor: polars read + parse",
    "parquet": "mttx report, Parquet input",
    "full": "mttx report, HTML and charts too",
}
for k, label in labels.items():
    print(f"{label:<34}{t[k][0]:>8.2f}{t[k][1]:>10.0f}")
m, d, f = t["mttx"], t["duckdb"], t["floor"]
print(f"mttx / DuckDB: time {m[0] / d[0]:.2f}x (target <= 0.25), memory {m[1] / d[1]:.2f}x (target <= 0.5)")
print(f"mttx / floor: time {m[0] / f[0]:.2f}x (target <= 1.75)")
print(f"CSV / Parquet input: {m[0] / t['parquet'][0]:.2f}x (target >= 3)")
print(f"full / CSV only: {t['full'][0] / m[0]:.2f}x (target <= 1.3)")
PY
