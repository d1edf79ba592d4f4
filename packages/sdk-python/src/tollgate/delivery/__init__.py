"""Spans from report() to the backend: buffer → spool (commit) → lease → send → ack / retry / drop."""
