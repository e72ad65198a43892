"""Access logs: parse, generate, store and aggregate web-server logs."""
