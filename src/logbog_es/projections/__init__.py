"""Read models: projections of the event log into tables that queries (and BI tools) read."""
