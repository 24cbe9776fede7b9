#!/usr/bin/env python3
"""Checks an `ordo run --report` file.

  check_report.py spec REPORT     the figures of shared/specs/strategy-80-20.md on the full NSE data
  check_report.py same A B        two reports hold the same trades and summary figures
"""
import json
import sys
from decimal import Decimal


def load(path):
    with open(path) as f:
        return json.load(f, parse_float=Decimal)


def dec(value):
    """A decimal string, or money {"amount": "...", "currency": "..."} (its amount), as a Decimal."""
    if isinstance(value, dict):
        return Decimal(value["amount"])
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a decimal string: prices, quantities and money are strings in the report")
    return Decimal(value)


def trade_key(t):
    return (t["instrument"], t["entryTime"], dec(t["entryPrice"]), t["exitTime"],
            dec(t["exitPrice"]), t["exitReason"], dec(t["quantity"]), dec(t["pnl"]), t["pnl"]["currency"])


def summary_total(r, currency):
    totals = [m for m in r["summary"]["totalPnl"] if m["currency"] == currency]
    return dec(totals[0]) if len(totals) == 1 else None


def check_spec(path):
    r = load(path)
    trades = r["trades"]
    reasons = {}
    for t in trades:
        reasons[t["exitReason"]] = reasons.get(t["exitReason"], 0) + 1
    total = sum(dec(t["pnl"]) for t in trades)
    dal = [t for t in trades if t["instrument"] == "DALBHARAT-EQ.NSE"]
    problems = []
    if len(trades) != 530: problems.append(f"{len(trades)} trades, expected 530")
    if reasons != {"TRAIL": 454, "STOP": 66, "SESSION_END": 10}: problems.append(f"exit reasons {reasons}")
    if total != Decimal("-6078.15"): problems.append(f"total pnl {total}, expected -6078.15")
    if any(t["pnl"]["currency"] != "INR" for t in trades): problems.append("a trade's P&L is not in INR")
    if summary_total(r, "INR") != total or len(r["summary"]["totalPnl"]) != 1:
        problems.append(f"summary totalPnl {r['summary']['totalPnl']} differs from the trades' sum {total} INR")
    if len(dal) != 38: problems.append(f"DALBHARAT has {len(dal)} trades, expected 38")
    expected = [
        ("2023-07-05T13:45:00+05:30", "2179.00", "2023-07-05T13:55:00+05:30", "2178.05", "TRAIL", 45, "-42.75"),
        ("2023-07-11T09:25:00+05:30", "2103.45", "2023-07-11T09:30:00+05:30", "2092.25", "STOP", 47, "-526.40"),
    ]
    for t, (et, ep, xt, xp, reason, q, pnl) in zip(dal, expected):
        got = (t["entryTime"], dec(t["entryPrice"]), t["exitTime"],
               dec(t["exitPrice"]), t["exitReason"], int(dec(t["quantity"])), dec(t["pnl"]))
        want = (et, Decimal(ep), xt, Decimal(xp), reason, q, Decimal(pnl))
        if got != want: problems.append(f"DALBHARAT trade {got} != {want}")
    if problems:
        print("report does not match the spec:\n  " + "\n  ".join(problems))
        return 1
    print(f"report matches the spec: 530 trades {reasons}, total pnl {total}")
    return 0


def check_same(a_path, b_path):
    a, b = load(a_path), load(b_path)
    ka, kb = [trade_key(t) for t in a["trades"]], [trade_key(t) for t in b["trades"]]
    if ka != kb:
        only_a = set(ka) - set(kb)
        only_b = set(kb) - set(ka)
        print(f"reports differ: {len(ka)} vs {len(kb)} trades; only in first {sorted(only_a)[:3]}, only in second {sorted(only_b)[:3]}")
        return 1
    for field in ("trades", "byExitReason", "totalPnl", "winners", "losers"):
        if a["summary"][field] != b["summary"][field]:
            print(f"summaries differ in {field}: {a['summary'][field]} vs {b['summary'][field]}")
            return 1
    print(f"reports hold the same {len(ka)} trades and totals")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "spec":
        sys.exit(check_spec(sys.argv[2]))
    if len(sys.argv) == 4 and sys.argv[1] == "same":
        sys.exit(check_same(sys.argv[2], sys.argv[3]))
    print(__doc__)
    sys.exit(2)
