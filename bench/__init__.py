"""Reproducible benchmarks (`make bench`). Each benchmark runs in its own process so its
peak RSS is its own; results go to bench/results.json (DESIGN.md §7)."""
