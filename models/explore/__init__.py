"""The explore page's small models: a Gaussian-kernel local polynomial fit and index-interval statistics."""
