"""The domain model: aggregates, events, value objects and policies.

Pure Python: nothing here connects to a database, reads settings or logs. The import rule is
checked by import-linter in `make lint` (see pyproject.toml).
"""
