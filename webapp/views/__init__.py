"""Pages' callbacks and layouts, one package per page split by user intent (``webapp/pages`` only registers)."""
