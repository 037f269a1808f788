"""The pure core: every pedagogical decision, in plain Python (no XBlock, no Django, no network)."""
