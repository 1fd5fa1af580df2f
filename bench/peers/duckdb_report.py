#!/usr/bin/env python3
"""The mttx report (metrics.csv and availability.csv) written as DuckDB SQL, as a data-savvy
user would write it: the peer mttx is measured against in bench/compare.sh.

It follows the metrics contract with mttx's defaults (UTC, statuspage weights, anchor started,
SLA 99.9, the window from the data) for canonical CSV without an impacts table, and is written
for speed: a typed read, the five durations as columns of one row per incident, one sweep per
key over all time in integer seconds (window functions over the sorted events), cut into months
afterwards.

Usage: bench/peers/duckdb_report.py INCIDENTS.csv OUT_DIR
"""
import csv
import os
import sys
from decimal import ROUND_HALF_UP, Decimal

import duckdb

LEVELS = ["major_outage", "partial_outage", "degraded_performance", "under_maintenance"]
WEIGHTS = [1.0, 0.3, 0.0, 0.0]
TARGET = 99.9
METRICS = ["mttd", "mtta", "mtti", "mttm", "mttr"]
PHASES = ["detected_at", "acknowledged_at", "identified_at", "mitigated_at", "resolved_at"]
SEVERITY_ORDER = ["critical", "major", "minor", "none", "sev1", "sev2", "sev3", "sev4", "sev5"]


def num(x, d):
    """The contract's printing: snapped to 9 decimals, then rounded half away from zero."""
    if x is None:
        return ""
    v = Decimal(repr(float(x))).quantize(Decimal("1e-9"), ROUND_HALF_UP)
    v = v.quantize(Decimal(1).scaleb(-d), ROUND_HALF_UP)
    s = f"{v:f}"
    s = s.rstrip("0").rstrip(".") if "." in s else s
    return "0" if s in ("-0", "") else s


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    db = duckdb.connect()
    db.execute("SET preserve_insertion_order = false")
    db.execute("SET TimeZone = 'UTC'")
    ts = ", ".join(f"'{c}': 'TIMESTAMP'" for c in ["started_at"] + PHASES)
    db.execute(
        f"""
        CREATE TABLE inc AS
        SELECT id, vendor, lower(trim(severity)) AS severity,
               coalesce(nullif(trim(impact), ''), 'major_outage') AS impact,
               coalesce(components, '') AS components,
               {", ".join(f"epoch({c})::BIGINT AS {c}" for c in ["started_at"] + PHASES)}
        FROM read_csv('{src}', header = true, timestampformat = '%Y-%m-%dT%H:%M:%SZ',
                      types = {{{ts}, 'id': 'VARCHAR', 'severity': 'VARCHAR',
                                'components': 'VARCHAR', 'title': 'VARCHAR'}})
        """
    )
    # The window: whole UTC months from the first start to the last instant a window reaches.
    w_start, w_end = db.execute(
        """
        SELECT epoch(date_trunc('month', to_timestamp(min(started_at))))::BIGINT,
               epoch(date_trunc('month', to_timestamp(greatest(
                   max(coalesce(mitigated_at, resolved_at, started_at)), max(started_at))))
               + INTERVAL 1 MONTH)::BIGINT
        FROM inc
        """
    ).fetchone()
    db.execute(
        f"""
        CREATE TABLE months AS
        SELECT strftime(m, '%Y-%m') AS label, epoch(m)::BIGINT AS ms,
               epoch(m + INTERVAL 1 MONTH)::BIGINT AS me
        FROM range(to_timestamp({w_start}) - INTERVAL 1 MONTH, to_timestamp({w_end}), INTERVAL 1 MONTH) t(m)
        """
    )
    before = db.execute(f"SELECT label FROM months WHERE ms < {w_start}").fetchone()[0]
    month_labels = [
        r[0] for r in db.execute(f"SELECT label FROM months WHERE ms >= {w_start} ORDER BY ms").fetchall()
    ]

    # One row per incident: its month and the five durations in minutes (negative: empty).
    durs = ", ".join(
        f"CASE WHEN {p} >= started_at THEN ({p} - started_at) / 60.0 END AS {m}"
        for p, m in zip(PHASES, METRICS)
    )
    db.execute(
        f"""
        CREATE TABLE d AS
        SELECT vendor, id, severity, components, strftime(to_timestamp(started_at), '%Y-%m') AS month,
               {durs}
        FROM inc WHERE started_at >= {w_start} AND started_at < {w_end}
        """
    )
    db.execute(
        """
        CREATE TABLE comp AS
        SELECT DISTINCT vendor, id, coalesce(nullif(trim(c), ''), '(all)') AS component
        FROM (SELECT vendor, id, unnest(CASE WHEN components = '' THEN [''] ELSE string_split(components, ';') END) AS c FROM inc)
        """
    )
    metric_rows = []
    aggs = ", ".join(
        f"count({m}) AS {m}_n, avg({m}) AS {m}_mean, quantile_cont({m}, 0.5) AS {m}_med, "
        f"quantile_cont({m}, 0.9) AS {m}_p90, max({m}) AS {m}_max"
        for m in METRICS
    )
    scopes = [
        ("all", [], "d"),
        ("vendor", ["vendor"], "d"),
        ("component", ["vendor", "component"], "d JOIN comp USING (vendor, id)"),
        ("severity", ["severity"], "d"),
    ]
    for scope, keys, source in scopes:
        where = "WHERE severity IS NOT NULL AND severity <> ''" if scope == "severity" else ""
        for by_month in (True, False):
            group = keys + (["month"] if by_month else [])
            select = ", ".join(group + [aggs]) if group else aggs
            gb = f"GROUP BY {', '.join(group)}" if group else ""
            for r in db.execute(f"SELECT {select} FROM {source} {where} {gb}").fetchall():
                kv = dict(zip(group, r[: len(group)]))
                vals = r[len(group):]
                for k, m in enumerate(METRICS):
                    n, mean, med, p90, mx = vals[5 * k: 5 * k + 5]
                    metric_rows.append([
                        scope, kv.get("vendor") or "", kv.get("component") or "",
                        kv.get("severity") or "", kv["month"] if by_month else "all", m, str(n),
                        num(mean, 3) if n else "", num(med, 3) if n else "",
                        num(p90, 3) if n else "", num(mx, 3) if n else "",
                    ])

    # Windows per incident and component, over all time (open ones to the window's end).
    lv = " ".join(f"WHEN '{l}' THEN {i}" for i, l in enumerate(LEVELS))
    db.execute(
        f"""
        CREATE TABLE win AS
        SELECT c.vendor, c.component, CASE i.impact {lv} END AS level,
               i.started_at AS s, coalesce(i.mitigated_at, i.resolved_at, {w_end}) AS e
        FROM comp c JOIN inc i USING (vendor, id)
        WHERE i.impact <> 'none'
        """
    )
    db.execute("DELETE FROM win WHERE e <= s")
    # Keys: components, then vendors (a vendor is swept over all its components' windows).
    db.execute(
        """
        CREATE TABLE keys AS
        SELECT row_number() OVER (ORDER BY vendor, component) - 1 AS key, 'component' AS scope,
               vendor, component FROM (SELECT DISTINCT vendor, component FROM comp)
        UNION ALL
        SELECT (SELECT count(*) FROM (SELECT DISTINCT vendor, component FROM comp))
               + row_number() OVER (ORDER BY vendor) - 1, 'vendor', vendor, NULL
        FROM (SELECT DISTINCT vendor FROM inc)
        """
    )
    db.execute(
        """
        CREATE TABLE ev AS
        WITH kw AS (
            SELECT k.key, w.level, w.s, w.e FROM win w JOIN keys k
              ON k.scope = 'component' AND k.vendor = w.vendor AND k.component = w.component
            UNION ALL
            SELECT k.key, w.level, w.s, w.e FROM win w JOIN keys k
              ON k.scope = 'vendor' AND k.vendor = w.vendor
        )
        SELECT key, s AS t, level, 1 AS d FROM kw UNION ALL SELECT key, e, level, -1 FROM kw
        """
    )
    cnt = ", ".join(
        f"sum(CASE WHEN level = {i} THEN d ELSE 0 END) OVER o AS c{i}" for i in range(4)
    )
    weight = "greatest(" + ", ".join(
        f"CASE WHEN c{i} > 0 THEN {WEIGHTS[i]}::DOUBLE ELSE 0.0 END" for i in range(4)
    ) + ")"
    db.execute(
        f"""
        CREATE TABLE seg AS
        SELECT key, t AS a, t_next AS b, {weight} AS w, (c0 + c1 + c2) > 0 AS out, c3 > 0 AS maint
        FROM (SELECT key, t, {cnt}, lead(t) OVER (PARTITION BY key ORDER BY t) AS t_next
              FROM ev WINDOW o AS (PARTITION BY key ORDER BY t ROWS UNBOUNDED PRECEDING))
        WHERE t_next > t AND (c0 + c1 + c2 + c3) > 0
        """
    )
    sums = {}
    for key, label, down, out_s, maint in db.execute(
        """
        SELECT key, label,
               sum(w * (least(b, me) - greatest(a, ms)))::DOUBLE,
               sum(CASE WHEN out THEN least(b, me) - greatest(a, ms) ELSE 0 END)::DOUBLE,
               sum(CASE WHEN maint THEN least(b, me) - greatest(a, ms) ELSE 0 END)::DOUBLE
        FROM seg JOIN months ON a < me AND b > ms
        GROUP BY key, label
        """
    ).fetchall():
        sums[(key, label)] = (down / 60.0, out_s / 60.0, maint / 60.0)
    started = {}
    for key, label, n in db.execute(
        """
        SELECT k.key, d.month, count(DISTINCT d.id) FROM d JOIN comp c USING (vendor, id)
        JOIN keys k ON k.scope = 'component' AND k.vendor = c.vendor AND k.component = c.component
        GROUP BY 1, 2
        UNION ALL
        SELECT k.key, d.month, count(*) FROM d JOIN keys k ON k.scope = 'vendor' AND k.vendor = d.vendor
        GROUP BY 1, 2
        """
    ).fetchall():
        started[(key, label)] = n
    month_len = {l: (me - ms) / 60.0 for l, ms, me in db.execute("SELECT label, ms, me FROM months").fetchall()}

    def row(scope, vendor, component, month, window, down, out_m, maint, n, prev):
        avail = min(max(100.0 * (1.0 - down / window), 0.0), 100.0) if window > 0 else 100.0
        budget = (1.0 - TARGET / 100.0) * window
        return [
            scope, vendor, component or "", month, num(window, 3), num(out_m, 3), num(down, 3),
            num(avail, 6), num(TARGET, 6), "true" if round(avail * 1e6) / 1e6 >= TARGET else "false",
            num(budget, 3), num(100.0 * down / budget, 6) if budget > 0 else "", str(n),
            num((window - out_m) / n, 3) if n else "", num(budget - down, 3), num(maint, 3),
            num(prev, 6) if prev is not None else "", num(avail - prev, 6) if prev is not None else "",
        ], avail

    avail_rows = []
    for key, scope, vendor, component in db.execute("SELECT key, scope, vendor, component FROM keys").fetchall():
        total = [0.0, 0.0, 0.0, 0.0, 0]
        d0, o0, m0 = sums.get((key, before), (0.0, 0.0, 0.0))
        prev = min(max(100.0 * (1.0 - d0 / month_len[before]), 0.0), 100.0)
        for label in month_labels:
            down, out_m, maint = sums.get((key, label), (0.0, 0.0, 0.0))
            n = started.get((key, label), 0)
            r, prev = row(scope, vendor, component, label, month_len[label], down, out_m, maint, n, prev)
            avail_rows.append(r)
            for i, v in enumerate((month_len[label], down, out_m, maint, n)):
                total[i] += v
        r, _ = row(scope, vendor, component, "all", total[0], total[1], total[2], total[3], total[4], None)
        avail_rows.append(r)

    with open(os.path.join(out, "metrics.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["scope", "vendor", "component", "severity", "month", "metric", "n",
                    "mean_min", "median_min", "p90_min", "max_min"])
        w.writerows(metric_rows)
    with open(os.path.join(out, "availability.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["scope", "vendor", "component", "month", "window_min", "outage_min",
                    "downtime_min", "availability_pct", "sla_target_pct", "sla_met", "budget_min",
                    "budget_used_pct", "incidents", "mtbf_min", "budget_remaining_min",
                    "maintenance_min", "previous_availability_pct", "change_pct"])
        w.writerows(avail_rows)


if __name__ == "__main__":
    main()
