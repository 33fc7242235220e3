"""Desktop benchmarks under Xvfb (run by scripts/bench-desktop; figures go to docs/benchmarks.md).

- cold start to the first paint of the incident board, 10k-entry incident, against an empty
  installation (the app's own floor) measured in the same run;
- resident memory (the app plus its WebKit processes) after opening the 10k-entry incident,
  against the empty installation;
- a 100k-entry incident: timeline shown, a filter applied (both measured in the UI from the
  request to the rows painted), and frames slower than 20 ms while scrolling the whole list.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from conftest import Desktop  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

RUNS = int(os.environ.get("MUSTER_BENCH_RUNS", "5"))
BIN = os.environ["MUSTER_DESKTOP_BIN"]
SEED = os.environ["MUSTER_SEED_BIN"]


def seed(n: int) -> Path:
    d = Path(tempfile.mkdtemp(prefix=f"muster-bench-{n}-"))
    if n:
        subprocess.run([SEED, str(d), str(n)], check=True, stdout=subprocess.DEVNULL)
    return d


def tree_rss_kib(pid: int) -> int:
    """RSS of a process and all its descendants (the WebKit web and network processes)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss="], capture_output=True, text=True).stdout
    rows = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line.strip()]
    children = {}
    for p, pp, _ in rows:
        children.setdefault(pp, []).append(p)
    rss = {p: r for p, _, r in rows}
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


def cold_start(data_dir: Path):
    """Seconds from spawning the app to the board's first paint, and the RSS once settled."""
    marks = data_dir / "marks.jsonl"
    marks.unlink(missing_ok=True)
    env = dict(os.environ, MUSTER_HOME=str(data_dir), MUSTER_BENCH_MARKS=str(marks))
    t0 = time.perf_counter()
    proc = subprocess.Popen([BIN], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if marks.exists() and "board_painted" in marks.read_text():
                elapsed = time.perf_counter() - t0
                break
            if proc.poll() is not None or time.perf_counter() - t0 > 60:
                raise RuntimeError("the app never painted its board")
            time.sleep(0.005)
        time.sleep(2.0)
        rss = tree_rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return elapsed, rss


def big_incident(data_dir: Path) -> dict:
    marks = data_dir / "marks.jsonl"
    marks.unlink(missing_ok=True)
    os.environ["MUSTER_BENCH_MARKS"] = str(marks)
    os.environ["MUSTER_DESKTOP_BIN"] = BIN
    desk = Desktop(data_dir)
    try:
        d = desk.start()
        WebDriverWait(d, 60).until(lambda drv: "timeline_shown" in (marks.read_text() if marks.exists() else ""))
        sel = Select(d.find_element(By.CSS_SELECTOR, '[data-testid="filter-kind"]'))
        sel.select_by_value("status.update")
        WebDriverWait(d, 30).until(lambda drv: "filter_applied" in marks.read_text())
        d.find_element(By.CSS_SELECTOR, '[data-testid="timeline-search"]').send_keys("PACS-02")
        WebDriverWait(d, 30).until(lambda drv: marks.read_text().count("filter_applied") >= 2)
        d.find_element(By.CSS_SELECTOR, '[data-testid="nav-incidents"]').click()
        d.find_element(By.CSS_SELECTOR, '[data-testid="nav-timeline"]').click()
        time.sleep(1.0)
        d.set_script_timeout(30)
        scroll = d.execute_async_script("const done = arguments[arguments.length-1]; window.musterScrollBench(3000).then(done);")
        rows = len(d.find_elements(By.CSS_SELECTOR, '[data-testid="timeline-row"]'))
    finally:
        desk.close()
    m = [json.loads(line) for line in marks.read_text().splitlines()]
    shown = [x["value_ms"] for x in m if x["name"] == "timeline_shown"]
    filters = [x["value_ms"] for x in m if x["name"] == "filter_applied"]
    return {"timeline_shown_ms": shown[0], "filter_kind_ms": filters[0], "filter_text_ms": filters[1],
            "scroll": scroll, "rows_in_dom": rows}


def main() -> None:
    empty, ten_k, hundred_k = seed(0), seed(10_000), seed(100_000)
    base, big = [], []
    for _ in range(RUNS):  # interleaved, so machine noise hits both alike
        base.append(cold_start(empty))
        big.append(cold_start(ten_k))
    start_base = statistics.median(t for t, _ in base)
    start_10k = statistics.median(t for t, _ in big)
    rss_base = statistics.median(r for _, r in base) / 1024
    rss_10k = statistics.median(r for _, r in big) / 1024
    h = big_incident(hundred_k)
    result = {
        "runs": RUNS,
        "cold_start_empty_s": round(start_base, 3),
        "cold_start_10k_s": round(start_10k, 3),
        "cold_start_ratio": round(start_10k / start_base, 2),
        "rss_empty_mib": round(rss_base, 1),
        "rss_10k_mib": round(rss_10k, 1),
        "rss_ratio": round(rss_10k / rss_base, 2),
        "100k": h,
    }
    print("MUSTER_BENCH_DESKTOP " + json.dumps(result))
    print(f"cold start to board painted, 10k-entry incident: {start_10k:.3f} s (median of {RUNS}); "
          f"empty installation {start_base:.3f} s; ratio {start_10k / start_base:.2f}   goal < 1.5 s")
    print(f"resident memory, 10k-entry incident open: {rss_10k:.1f} MiB; empty {rss_base:.1f} MiB; "
          f"ratio {rss_10k / rss_base:.2f}   goal < 200 MB")
    print(f"100k entries: timeline shown {h['timeline_shown_ms']:.0f} ms (goal < 1000); filter by kind "
          f"{h['filter_kind_ms']:.0f} ms, by text {h['filter_text_ms']:.0f} ms (goal < 100); scroll: "
          f"{h['scroll']['slow']} of {h['scroll']['frames']} frames over 20 ms, worst {h['scroll']['worst_ms']} ms; "
          f"{h['rows_in_dom']} rows in the DOM")


if __name__ == "__main__":
    main()
