"""Territories, priority neighbourhoods (QPV) and councils (DESIGN.md §2)."""
