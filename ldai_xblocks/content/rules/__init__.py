"""Semantic rules per content kind: what JSON Schema cannot say (cross references, offsets)."""
