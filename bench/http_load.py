"""HTTP load (issue 14, checks that stay): 20 concurrent clients on the service's pages
and an authenticated API read, beside a bare Litestar handler measured in the same run.

The service and the baseline each run in their own uvicorn process (one worker) on a
loopback port; the load comes from httpx in this process. Each target is loaded for
``BENCH_HTTP_SECONDS`` seconds (default 30) after a short warm-up. Figures per target:
throughput (requests/s), p50 and p95 latency, errors (any status other than 200), and
the ratios to the bare handler. ``http.load.pages.*`` fails if a request errs.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.registry import bench

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CLIENTS = int(os.environ.get("BENCH_HTTP_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "30"))
WARMUP = min(2.0, SECONDS / 5)
PASSWORD = "mot-de-passe-du-banc-d-essai"
DICE = "3 6 1 4 4 2 5 1 6 2 3 3 5 4 1 2 6 6 5 1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(target: str, env: dict[str, str], *, factory: bool) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    cmd = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
           "--no-access-log"]
    if factory:
        cmd.append("--factory")
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=str(ROOT))
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(f"le serveur {target} n'a pas démarré") from None
            time.sleep(0.2)
    return proc, base


async def _seed(settings: Any) -> dict[str, Any]:
    from bench.draw import synthetic_pool
    from service import audit
    from service.audit import Actor
    from service.context import AppContext
    from service.db.engine import bind_engine, make_engine
    from service.db.migrate import upgrade
    from service.usecases import accounts as acc
    from service.usecases import organisation as org
    from service.usecases import tirage as t
    from service.usecases.pools import PoolItem, create_pool

    db = bind_engine(make_engine(settings))
    db.use_pool = False
    await upgrade(db.engine)
    await audit.ensure_head()
    ctx = AppContext(settings=settings, db=db, cheap_hashing=True)
    actor = Actor.system("banc d'essai")
    terr = await org.create_territory(ctx, actor, org.TerritoryInput(name="Territoire banc", departement="37"))
    qpv = await org.create_qpv(ctx, actor, terr["id"], org.QpvInput(code="QN03701M", name="Quartier banc"))
    council = await org.create_council(ctx, actor, terr["id"], org.CouncilInput(name="Conseil banc", qpv_ids=(qpv["id"],)))
    admin = await acc.create_admin(ctx, "banc@exemple.fr", "Banc d'essai", PASSWORD)
    token, _info = await acc.create_api_token(ctx, actor, admin, "banc")
    items = [PoolItem(k, s, h, "resident", None) for k, s, h in synthetic_pool(2_000)]
    pool = await create_pool(ctx, actor, council["id"], items)
    d = await t.prepare_draw(ctx, actor, council["id"], pool["id"], t.PlanInput(seats=10))
    await t.commit_draw(ctx, actor, council["id"], d["id"])
    await t.enter_entropy(ctx, actor, council["id"], d["id"], DICE)
    await t.rank_draw(ctx, actor, council["id"], d["id"])
    if not db.is_sqlite:
        await db.engine.run_ddl("VACUUM ANALYZE")
    return {"council": council["id"], "token": token, "reference": d["reference"]}


async def _login(base: str) -> dict[str, str]:
    import httpx

    async with httpx.AsyncClient(base_url=base) as c:
        await c.get("/connexion")
        r = await c.post("/connexion", data={"email": "banc@exemple.fr", "password": PASSWORD, "_csrf": c.cookies.get("cc_csrf", "")})
        if r.status_code != 303:
            raise RuntimeError(f"connexion refusée ({r.status_code})")
        return dict(c.cookies)


async def _load(base: str, path: str, headers: dict[str, str], cookies: dict[str, str], seconds: float) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, headers=headers, cookies=cookies, limits=limits, timeout=30) as client:

        async def worker(until: float, record: bool) -> None:
            while time.perf_counter() < until:
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                    ok = r.status_code == 200
                    what = str(r.status_code)
                except httpx.HTTPError as exc:
                    ok, what = False, type(exc).__name__
                if record:
                    latencies.append(time.perf_counter() - t0)
                    if not ok:
                        errors[what] = errors.get(what, 0) + 1

        warm_until = time.perf_counter() + WARMUP
        await asyncio.gather(*[worker(warm_until, False) for _ in range(CLIENTS)])
        t0 = time.perf_counter()
        until = t0 + seconds
        await asyncio.gather(*[worker(until, True) for _ in range(CLIENTS)])
        elapsed = time.perf_counter() - t0
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "errors": errors,
    }


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


async def _run(engine: str) -> tuple[float, int, str]:
    from service.db.pgadmin import create_scratch_database, drop_database
    from service.settings import load_settings

    tmp = Path(tempfile.mkdtemp(prefix="bench-http-"))
    env = {"CONSEIL_VAR_DIR": str(tmp), "SECRET_KEY": "banc-http-" + "x" * 40, "LOG_LEVEL": "WARNING"}
    dbname = None
    if engine == "postgres":
        env["DATABASE_URL"], dbname = await create_scratch_database(PG_URL, "bench_http")
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    started = time.perf_counter()
    service = bare = None
    try:
        data = await _seed(load_settings(env))
        service, base = _serve("service.app:create_app", env, factory=True)
        bare, bare_base = _serve("bench.bare_app:app", {}, factory=False)
        cookies = await _login(base)
        council = data["council"]
        targets = [
            ("tableau_de_bord", base, "/", {}, cookies),
            ("page_conseil", base, f"/conseils/{council}", {}, cookies),
            ("registre_public_tirage", base, f"/tirages/{data['reference']}", {}, {}),
            ("page_reponse_en_ligne", base, "/repondre", {}, {}),
            ("api_lecture_authentifiee", base, f"/api/v1/conseils/{council}", {"Authorization": f"Bearer {data['token']}"}, {}),
        ]
        # The baseline is measured before and after the targets (the machine is shared:
        # its load drifts); the ratios use the mean of both.
        before = await _load(bare_base, "/", {}, {}, SECONDS)
        results: dict[str, Any] = {}
        for name, b, path, headers, ck in targets:
            results[name] = await _load(b, path, headers, ck, SECONDS)
        after = await _load(bare_base, "/", {}, {}, SECONDS)
        results = {"bare": {
            "requests": before["requests"] + after["requests"],
            "rps": round((before["rps"] + after["rps"]) / 2, 1),
            "p50_ms": round((before["p50_ms"] + after["p50_ms"]) / 2, 1),
            "p95_ms": round((before["p95_ms"] + after["p95_ms"]) / 2, 1),
            "errors": {k: before["errors"].get(k, 0) + after["errors"].get(k, 0) for k in {**before["errors"], **after["errors"]}},
            "runs": [before, after],
        }, **results}
        ref = results["bare"]
        for name, r in results.items():
            if name != "bare":
                r["throughput_ratio"] = round(r["rps"] / ref["rps"], 3) if ref["rps"] else None
                r["p95_ratio"] = round(r["p95_ms"] / ref["p95_ms"], 2) if ref["p95_ms"] else None
        total = sum(r["requests"] for r in results.values())
        errors = {n: r["errors"] for n, r in results.items() if r["errors"]}
        out = Path(__file__).parent / f"http_load_{engine}.json"
        out.write_text(json.dumps({"engine": engine, "clients": CLIENTS, "seconds": SECONDS, "results": results}, indent=2), encoding="utf-8")
        summary = "; ".join(
            f"{n}: {r['rps']} req/s p50 {r['p50_ms']} ms p95 {r['p95_ms']} ms"
            + (f" (×{r['throughput_ratio']} débit, ×{r['p95_ratio']} p95)" if n != "bare" else "")
            for n, r in results.items()
        )
        if errors:
            raise RuntimeError(f"erreurs HTTP : {errors} — {summary}")
        api = results["api_lecture_authentifiee"]
        target_met = api["throughput_ratio"] >= 0.25 and api["p95_ratio"] <= 3
        note = (f"{engine}, {CLIENTS} clients, {SECONDS:g} s par cible, 0 erreur ; {summary} ; "
                f"cible API (≥ 1/4 du débit, p95 ≤ 3×) {'atteinte' if target_met else 'NON atteinte'}")
        return time.perf_counter() - started, total, note
    finally:
        for p in (service, bare):
            if p is not None:
                _stop(p)
        if dbname:
            await drop_database(PG_URL, dbname)


@bench("http.load.pages.sqlite")
def pages_sqlite() -> tuple[float, int, str]:
    return asyncio.run(_run("sqlite"))


@bench("http.load.pages.postgres")
def pages_postgres() -> tuple[float, int, str]:
    return asyncio.run(_run("postgres"))
