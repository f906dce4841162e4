"""Migration tooling: importing legacy logbooks as events (see docs/legacy-format.md)."""
