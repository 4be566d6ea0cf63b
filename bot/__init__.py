"""firstline core: knowledge, matching, storage, support and operations. Knows no chat platform:
channel adapters (handlers/) attach to it; tests/test_boundary.py keeps it so."""
