#!/usr/bin/env python3
"""The floor of bench/compare.sh: polars reading the same CSV and parsing its six timestamp
columns with an explicit format. No report can be faster than reading and parsing its input.

Usage: bench/peers/polars_floor.py INCIDENTS.csv
"""
import sys

import polars as pl

TS = ["started_at", "detected_at", "acknowledged_at", "identified_at", "mitigated_at", "resolved_at"]

df = pl.read_csv(sys.argv[1], infer_schema_length=0).with_columns(
    pl.col(c).str.strptime(pl.Datetime("ms", "UTC"), "%Y-%m-%dT%H:%M:%SZ") for c in TS
)
print(f"{df.height} rows, {df['started_at'].null_count()} without a start", file=sys.stderr)
