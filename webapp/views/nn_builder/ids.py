"""Component ids of the NN Builder, all prefixed ``nn-builder-`` so no other page collides with them."""

from webapp.components.job_watch import job_watch_ids

P = "nn-builder-"
TITLE = P + "title"
TABS = P + "tabs"

# Network Parameters
DATASET = P + "dataset"
DATA_INFO = P + "data-info"
BS_FORM = P + "black-scholes-form"
ROWS = P + "rows"
SEED = P + "seed"
SCALE = P + "scale"
VALIDATION = P + "validation"
DATA_MESSAGE = P + "data-message"
DATA_ERROR = P + "data-error"
UPLOAD = P + "upload"
UPLOAD_FORM = P + "upload-form"
TARGET = P + "target"
TASK = P + "task"
USE = P + "use-upload"
UPLOADED = P + "uploaded"
SHARE_UPLOAD = P + "share-upload"
SHARE_NOTE = P + "share-note"
REJECTED = P + "rejected"
EPOCHS = P + "epochs"
BATCH = P + "batch-size"
LOSS = P + "loss"
OPTIMIZER = P + "optimizer"
OPT_PARAMS = P + "optimizer-params"

# Architecture
ADD = P + "add-layer"
REMOVE = P + "remove-layer"
LAYER_ROWS = P + "layer-rows"
INPUTS_CELL = P + "inputs"
OUTPUTS_CELL = P + "outputs"
NETWORK = P + "network"

# Training
TRAIN = P + "train"
STOP = P + "stop"
MESSAGE = P + "message"
ERRORS = P + "errors"
STATUS = P + "status"
PROGRESS = P + "progress"
CURVES = P + "curves"
EPOCH = P + "epoch"
HISTOGRAMS = P + "histograms"
WARNINGS = P + "warnings"
TRAIN_WATCH = job_watch_ids(P + "train-")  # the training job's watch: "stopped unexpectedly" and Retry

# Diagnostics
DIAG_A = P + "diagnostics-a"
DIAG_B = P + "diagnostics-b"
DIAG_NOTE = P + "diagnostics-note"
CELL_COUNT = P + "cell-count"

# Runs
RUNS_GRID = P + "runs"
OVERLAY = P + "overlay"
OVERLAY_LOG = P + "overlay-log"
DL_MODEL = P + "download-model"
DL_SPEC = P + "download-spec"
DL_CODE = P + "export-code"
DOWNLOAD = P + "download"
CODE = P + "code"
RUNS_MESSAGE = P + "runs-message"
SHARE_RUNS = P + "share-runs"
PRIVATE_RUNS = P + "private-runs"

# Stores: the chosen dataset, a training request, live progress, what the curves show, the run's result.
DATA = P + "data"
REQUEST = P + "request"
LIVE = P + "live"
DRAWN = P + "drawn"
RESULT = P + "result"

# Pattern-matching id types: one per optimizer parameter ({"name": ...}) and per layer cell ({"index": ...}).
OPT_PARAM = P + "optimizer-param"
UNITS = P + "units"
ACTIVATION = P + "activation"
BATCH_NORM = P + "batch-norm"
DROPOUT = P + "dropout"

GRAPHS = (NETWORK, CURVES, HISTOGRAMS, DIAG_A, DIAG_B, OVERLAY)
