"""Benchmarks of ldai-xblocks against their anchors: `make bench` runs bench/run.py (see bench/common.py)."""
