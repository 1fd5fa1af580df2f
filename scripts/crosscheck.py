#!/usr/bin/env python3
"""An independent, deliberately naive implementation of the mttx metrics contract (time-to-x,
downtime, availability, SLA) in plain Python, compared cell by cell with mttx's metrics.csv and
availability.csv. It shares no code or algorithm with mttx: windows are swept by brute force over
elementary intervals.

Usage: scripts/crosscheck.py INCIDENTS.csv REPORT_DIR [--tz ZONE] [--sla 99.9] [--weights statuspage|strict]
Reads canonical CSV only (no impacts table). Exits 1 on any difference.
"""
import argparse, csv, datetime as dt, sys
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

LEVELS = ["major_outage", "partial_outage", "degraded_performance", "under_maintenance"]
WEIGHTS = {"statuspage": [1.0, 0.3, 0.0, 0.0], "strict": [1.0, 1.0, 1.0, 0.0]}
PHASES = ["detected_at", "acknowledged_at", "identified_at", "mitigated_at", "resolved_at"]
METRICS = ["mttd", "mtta", "mtti", "mttm", "mttr"]


def ts(s, tz):
    s = (s or "").strip()
    if not s:
        return None
    if len(s) > 10 and s[10] in " t":
        s = s[:10] + "T" + s[11:]
    if s[-1] in "Zz":
        s = s[:-1] + "+00:00"
    d = dt.datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=tz)
    return d.timestamp()


def q7(xs, q):
    xs = sorted(xs)
    h = (len(xs) - 1) * q
    lo = int(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def fmt(x, d):
    """The contract's printing: snapped to 9 decimals, then rounded half away from zero."""
    if x is None:
        return ""
    v = Decimal(repr(x)).quantize(Decimal("1e-9"), ROUND_HALF_UP)
    v = v.quantize(Decimal(1).scaleb(-d), ROUND_HALF_UP)
    s = f"{v:f}"
    s = s.rstrip("0").rstrip(".") if "." in s else s
    return "0" if s in ("-0", "") else s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("incidents")
    ap.add_argument("report")
    ap.add_argument("--tz", default="UTC")
    ap.add_argument("--sla", type=float, default=99.9)
    ap.add_argument("--weights", default="statuspage")
    a = ap.parse_args()
    tz = ZoneInfo(a.tz)
    w = WEIGHTS[a.weights]

    incs = {}
    for r in csv.DictReader(open(a.incidents, newline="", encoding="utf-8")):
        try:
            if not r["id"].strip() or not r["vendor"].strip() or not r["started_at"].strip():
                continue
            rec = {k: ts(r.get(k), tz) for k in ["started_at"] + PHASES}
            imp = (r.get("impact") or "").strip() or "major_outage"
            if imp not in LEVELS:
                continue
        except ValueError:
            continue
        comps = sorted({c.strip() for c in (r.get("components") or "").split(";") if c.strip()}) or ["(all)"]
        rec.update(vendor=r["vendor"].strip(), id=r["id"].strip(), level=LEVELS.index(imp),
                   comps=comps, sev=(r.get("severity") or "").strip().lower() or None)
        incs[(rec["vendor"], rec["id"])] = rec  # the later row wins
    incs = list(incs.values())

    # Window: calendar months from the first start to the last window end.
    first = min(i["started_at"] for i in incs)
    last = max(max(i["started_at"], i["mitigated_at"] or i["resolved_at"] or i["started_at"]) for i in incs)
    d0 = dt.datetime.fromtimestamp(first, tz).date().replace(day=1)
    d1 = dt.datetime.fromtimestamp(last, tz).date()
    months = []
    y, m = d0.year, d0.month
    while (y, m) <= (d1.year, d1.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    bounds = [dt.datetime(yy, mm, 1, tzinfo=tz).timestamp() for yy, mm in months]
    ny, nm = (months[-1][0] + 1, 1) if months[-1][1] == 12 else (months[-1][0], months[-1][1] + 1)
    bounds.append(dt.datetime(ny, nm, 1, tzinfo=tz).timestamp())
    P0, P1 = bounds[0], bounds[-1]
    labels = [f"{yy:04d}-{mm:02d}" for yy, mm in months]

    def month_of(t):
        for k in range(len(labels)):
            if bounds[k] <= t < bounds[k + 1]:
                return labels[k]
        return None

    # ---- metrics.csv
    groups = {}
    for i in incs:
        mo = month_of(i["started_at"])
        if mo is None:
            continue
        durs = []
        for p in PHASES:
            v = i[p]
            d = None if v is None else (v - i["started_at"]) / 60
            durs.append(d if d is not None and d >= 0 else None)
        keys = [("all", "", "", "")]
        keys.append(("vendor", i["vendor"], "", ""))
        keys += [("component", i["vendor"], c, "") for c in i["comps"]]
        if i["sev"]:
            keys.append(("severity", "", "", i["sev"]))
        for k in keys:
            for month in (mo, "all"):
                groups.setdefault(k + (month,), []).append(durs)
    mine = {}
    for k, rows in groups.items():
        for j, name in enumerate(METRICS):
            xs = [r[j] for r in rows if r[j] is not None]
            vals = [str(len(xs))] + ([fmt(sum(xs) / len(xs), 3), fmt(q7(xs, .5), 3), fmt(q7(xs, .9), 3), fmt(max(xs), 3)] if xs else ["", "", "", ""])
            mine[k + (name,)] = vals
    theirs = {}
    for r in csv.DictReader(open(f"{a.report}/metrics.csv", newline="")):
        theirs[(r["scope"], r["vendor"], r["component"], r["severity"], r["month"], r["metric"])] = [
            r["n"], r["mean_min"], r["median_min"], r["p90_min"], r["max_min"]]

    # ---- availability.csv
    wins = {}  # key -> list of (start, end, level)
    inc_count = {}
    keys = set()
    for i in incs:
        keys.add(("vendor", i["vendor"], ""))
        end = i["mitigated_at"] if i["mitigated_at"] is not None else i["resolved_at"]
        end = P1 if end is None else end
        mo = month_of(i["started_at"])
        for c in i["comps"]:
            keys.add(("component", i["vendor"], c))
            for key in (("component", i["vendor"], c), ("vendor", i["vendor"], "")):
                s, e = max(i["started_at"], P0), min(end, P1)
                if e > s:
                    wins.setdefault(key, []).append((s, e, i["level"]))
                if mo is not None:
                    inc_count.setdefault(key + (mo,), set()).add(i["id"])
    avail = {}
    for key in keys:
        ws = wins.get(key, [])
        pts = sorted(set([p for s, e, _ in ws for p in (s, e)] + bounds))
        down = {l: 0.0 for l in labels}
        out = {l: 0.0 for l in labels}
        for x0, x1 in zip(pts, pts[1:]):
            mo = month_of(x0)
            if mo is None:
                continue
            active = [lv for s, e, lv in ws if s <= x0 and x1 <= e]
            if active:
                down[mo] += max(w[lv] for lv in active) * (x1 - x0) / 60
                if any(lv != 3 for lv in active):
                    out[mo] += (x1 - x0) / 60
        tot = [0.0, 0.0, 0.0, 0]
        for k, l in enumerate(labels + ["all"]):
            if l == "all":
                wmin, o, d, n = tot
            else:
                wmin = (bounds[k + 1] - bounds[k]) / 60
                o, d, n = out[l], down[l], len(inc_count.get(key + (l,), ()))
                tot = [tot[0] + wmin, tot[1] + o, tot[2] + d, tot[3] + n]
            av = 100 * (1 - d / wmin)
            budget = (1 - a.sla / 100) * wmin
            avail[key + (l,)] = [fmt(wmin, 3), fmt(o, 3), fmt(d, 3), fmt(av, 6), fmt(a.sla, 6),
                                 "true" if round(av, 6) >= a.sla else "false", fmt(budget, 3),
                                 fmt(100 * d / budget, 6) if budget > 0 else "", str(n),
                                 fmt((wmin - o) / n, 3) if n else ""]
    theirs_a = {}
    for r in csv.DictReader(open(f"{a.report}/availability.csv", newline="")):
        theirs_a[(r["scope"], r["vendor"], r["component"], r["month"])] = [
            r[c] for c in ["window_min", "outage_min", "downtime_min", "availability_pct", "sla_target_pct",
                           "sla_met", "budget_min", "budget_used_pct", "incidents", "mtbf_min"]]

    bad = 0
    for name, m1, m2 in (("metrics.csv", mine, theirs), ("availability.csv", avail, theirs_a)):
        for k in sorted(set(m1) | set(m2), key=str):
            if m1.get(k) != m2.get(k):
                bad += 1
                if bad <= 20:
                    print(f"{name} {k}: crosscheck {m1.get(k)} mttx {m2.get(k)}")
        print(f"{name}: {len(m1)} rows computed here, {len(m2)} in mttx's file")
    print("differences:", bad)
    sys.exit(1 if bad else 0)


main()
