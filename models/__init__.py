"""Glassbox's analysis layer: loading, parsing, training and scoring. Never imports Dash."""
