"""NN Builder: datasets, a JSON network spec built into Keras, a monitoring callback, training runs and their store.

TensorFlow's C++ start-up chatter (oneDNN and CPU-feature notices) goes to stderr on import and would drown the
CLI's messages, so it is silenced here unless the environment already chose a level.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
