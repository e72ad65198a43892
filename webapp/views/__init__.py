"""The pages' callbacks and layouts, one package per page split by user intent (the page modules register them)."""
