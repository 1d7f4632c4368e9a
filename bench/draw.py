"""Draw benchmarks that need only the domain (the stored-ranking ones come with the draw
service): the bare-loop baseline and the standard-library verifier on 1M entries."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import tempfile
import time
from pathlib import Path

from bench.registry import bench

N = 1_000_000
SEED = 20140221
STRATA = [f"{s}/A{i}" for s in ("F", "M") for i in range(1, 6)]
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def synthetic_pool(n: int = N, seed: int = SEED) -> list[tuple[str, str, str]]:
    """n entries over 2 sexes × 5 sub-areas, ~2.2 people per household, fixed seed."""
    rng = random.Random(seed)
    keys = set()
    while len(keys) < n:
        keys.add("".join(rng.choices(ALPHABET, k=12)))
    entries = []
    household = 0
    left_in_household = 0
    for key in sorted(keys):
        if left_in_household == 0:
            household += 1
            left_in_household = rng.choice((1, 1, 2, 2, 3, 4))
        left_in_household -= 1
        entries.append((key, rng.choice(STRATA), f"H{household:07d}"))
    return entries


@bench("draw.baseline.1m")
def baseline() -> tuple[float, int, str]:
    entries = synthetic_pool()
    keys = [e[0].encode() for e in entries]
    seed = hashlib.sha256(b"baseline").digest()
    t0 = time.perf_counter()
    tickets = [(hmac.new(seed, k, hashlib.sha256).hexdigest(), k) for k in keys]
    tickets.sort()
    return time.perf_counter() - t0, len(tickets), "boucle nue : 1M HMAC-SHA-256 puis tri"


@bench("draw.verify.1m")
def verify_1m() -> tuple[float, int, str]:
    from domain.draw import protocol as p
    from domain.verify import verify

    entries = synthetic_pool()
    pool_bytes = p.serialise_pool(entries)
    pool = p.parse_pool(pool_bytes)
    plan = {"protocol": "cc-draw/1", "one_per_household": True, "quotas": {s: 40 for s in sorted(pool.strata_counts)}}
    commit = p.commitment(pool.digest, plan)
    entropy = "3 6 1 4 4 2 5 1 6 2 3 3 5 4 1 2 6 6 5 1"
    seed = p.derive_seed(commit, entropy)
    ranking = p.rank(pool, seed, True)
    record = {
        "protocol": "cc-draw/1", "draw_id": "bench-1m", "council": {"name": "Banc d'essai", "qpv": ["QN03701M"]},
        "pool_digest": pool.digest, "pool_size": pool.size, "strata_counts": dict(pool.strata_counts), "plan": plan,
        "commitment": commit, "committed_at": "2026-03-02T09:00:00+01:00", "entropy": entropy,
        "entropy_entered_at": "2026-03-02T09:30:00+01:00", "seed": seed.hex(),
        "ranked": {s: list(v) for s, v in ranking.ranked.items()},
        "rounds": [{"round": 1, "invited": {s: 40 for s in sorted(pool.strata_counts)}, "at": "2026-03-02T09:31:00+01:00"}],
    }
    with tempfile.TemporaryDirectory() as d:
        rec_path, pool_path = Path(d) / "record.json", Path(d) / "pool.tsv"
        rec_path.write_text(json.dumps(record), encoding="utf-8")
        pool_path.write_bytes(pool_bytes)
        del pool, ranking, entries
        t0 = time.perf_counter()
        result = verify(json.loads(rec_path.read_text(encoding="utf-8")), pool_path.read_bytes())
        elapsed = time.perf_counter() - t0
    if not result.ok:
        raise SystemExit(f"la vérification a échoué : {result}")
    return elapsed, N, "domain.verify sur l'enregistrement complet (listes entières) et le fichier de pool"
