"""Prints the benchmark table from one run: criterion's estimates and the interleaved append
measurement (the MUSTER_BENCH_APPEND line of benches/append.rs)."""
import json
import sys
from pathlib import Path

criterion = Path(sys.argv[1])
append_line = next(
    line for line in Path(sys.argv[2]).read_text().splitlines() if line.startswith("MUSTER_BENCH_APPEND ")
)
append = json.loads(append_line.split(" ", 1)[1])


def mean_s(group: str, bench: str) -> float:
    data = json.loads((criterion / group / bench / "new" / "estimates.json").read_text())
    return data["mean"]["point_estimate"] / 1e9


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


ingest = mean_s("ingest_100k", "ingest")
verify_each = mean_s("ingest_100k", "verify_each_signature")
verify_batch = mean_s("ingest_100k", "verify_batched_signatures")
fold = mean_s("fold", "fold_100k")
n = 100_000
us = 1e-6

rows = [
    (
        "durable append of one entry (sign + chain + FULL sync)",
        f"{fmt(append['durable_append_us'] * us)} (signature alone {fmt(append['sign_only_us'] * us)})",
        f"plain durable INSERT of the same row {fmt(append['plain_insert_us'] * us)}",
        f"{append['ratio_median']:.2f} (p10 {append['ratio_p10']:.2f}, p90 {append['ratio_p90']:.2f})",
        "<= 1.5",
    ),
    (
        "ingest of 100k foreign entries (verify + insert)",
        f"{fmt(ingest)} = {n / ingest:,.0f} entries/s",
        f"verify 100k signatures one by one {fmt(verify_each)}",
        f"{ingest / verify_each:.2f}",
        "report",
    ),
    ("", "", f"verify 100k signatures batched {fmt(verify_batch)}", f"{ingest / verify_batch:.2f}", "report"),
    ("fold of a 100k-entry incident into state", fmt(fold), "", "", "< 200 ms"),
]
print("| benchmark | measured | baseline (same run) | ratio | goal |")
print("|---|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
