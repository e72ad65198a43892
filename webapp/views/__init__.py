"""Pages' callbacks and layouts, one package per page, split by user intent (the pages/ modules stay thin)."""
