"""Benchmarks of the read model's pages at municipal and national scale (not timed tests)."""
