"""Developer tools, not library: benchmarks, the local worker harness, demo data.

One entry point: `airparadis-tools` (training.tools.cli).
"""
