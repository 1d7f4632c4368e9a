"""python -m bench [--only PREFIX] — runs benchmarks, writes bench/results.json."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench.registry import BENCHES, MODULES

RESULTS = Path(__file__).parent / "results.json"


def _load() -> None:
    for m in MODULES:
        importlib.import_module(m)


def run_one(name: str) -> dict[str, object]:
    import resource

    _load()
    seconds, n, notes = BENCHES[name].fn()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # A child process a benchmark starts has its own memory: the peak given is the sum
    # of both peaks, an upper bound of what was in use at once.
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"name": name, "seconds": round(seconds, 3), "peak_rss_mb": round(own + helpers, 1),
            "peak_rss_process_mb": round(own, 1), "peak_rss_helper_mb": round(helpers, 1), "n": n, "notes": notes}


def main() -> int:
    p = argparse.ArgumentParser(prog="bench")
    p.add_argument("--only", default="", help="préfixe des benchmarks à lancer")
    p.add_argument("--one", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    _load()
    names = [n for n in BENCHES if n.startswith(args.only)]
    if not names:
        print(f"Aucun benchmark ne commence par « {args.only} ».", file=sys.stderr)
        return 2
    results = []
    for name in names:
        out = subprocess.run([sys.executable, "-m", "bench", "--one", name], capture_output=True, text=True,
                             cwd=Path(__file__).resolve().parent.parent)
        if out.returncode != 0:
            print(out.stderr[-2000:], file=sys.stderr)
            results.append({"name": name, "error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "échec"})
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"{r['name']:<34} {r['seconds']:>8.3f} s  {r['peak_rss_mb']:>8.1f} Mo  n={r['n']}  {r['notes']}")
    doc = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "python": platform.python_version(),
           "cpus": os.cpu_count(), "results": results}
    RESULTS.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Résultats écrits dans {RESULTS}")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
