"""NN Builder: datasets, a JSON network spec built into Keras, a monitoring callback, training runs and their store.

TensorFlow's C++ log lines (oneDNN and CPU-feature notices, even an "E" line about oneDNN's int32 fallback on
every fit) go to stderr and would drown the CLI's messages, so they are silenced here unless the environment
already chose a level. Python-level errors still raise as usual. (The two oneDNN lines TensorFlow 2.21 prints
before its logging starts ignore the level; they go to stderr only, so JSON on stdout stays clean.)
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
