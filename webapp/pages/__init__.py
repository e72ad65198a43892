"""One module per page: ``register_page``, ``layout`` and callbacks only."""
