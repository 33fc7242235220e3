"""Reads criterion's estimates from one run and prints the benchmark table with ratios."""
import json
import sys
from pathlib import Path

root = Path(sys.argv[1])


def mean_s(group: str, bench: str) -> float:
    data = json.loads((root / group / bench / "new" / "estimates.json").read_text())
    return data["mean"]["point_estimate"] / 1e9


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


append = mean_s("append", "durable_append")
plain = mean_s("append", "plain_insert")
ingest = mean_s("ingest_100k", "ingest")
verify_each = mean_s("ingest_100k", "verify_each_signature")
verify_batch = mean_s("ingest_100k", "verify_batched_signatures")
fold = mean_s("fold", "fold_100k")
n = 100_000

rows = [
    ("durable append of one entry (sign + chain + FULL sync)", fmt(append), f"plain durable INSERT {fmt(plain)}", f"{append / plain:.2f}", "<= 1.5"),
    ("ingest of 100k foreign entries (verify + insert)", f"{fmt(ingest)} = {n / ingest:,.0f} entries/s", f"verify 100k signatures one by one {fmt(verify_each)}", f"{ingest / verify_each:.2f}", "report"),
    ("", "", f"verify 100k signatures batched {fmt(verify_batch)}", f"{ingest / verify_batch:.2f}", "report"),
    ("fold of a 100k-entry incident", fmt(fold), "", "", "< 200 ms"),
]
print("| benchmark | measured | baseline (same run) | ratio | goal |")
print("|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
