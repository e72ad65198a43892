"""Component ids of the Sentiment page, all prefixed ``sentiment-``."""

from webapp.components.job_watch import job_watch_ids

P = "sentiment-"

# data and upload
DATASET = P + "dataset"
UPLOAD = P + "upload"
UPLOAD_FORM = P + "upload-form"
TEXT_COL = P + "text-column"
LABEL_COL = P + "label-column"
SPLIT_COL = P + "split-column"
ID_COL = P + "id-column"
TIME_COL = P + "time-column"
LABEL_MAP = P + "label-map"
USE = P + "use-upload"
MESSAGE = P + "message"
REJECTED = P + "rejected"

# stores
RUN = P + "run"
CELL = P + "cell"
LASSO = P + "lasso"
TWEET = P + "tweet"
REVISION = P + "revision"

# views
CONFUSION = P + "confusion"
TRIANGLE = P + "triangle"
TABLE = P + "table"
COUNT = P + "count"
PIE = P + "pie"
EXPLAIN = P + "explain"
METRICS = P + "metrics"
ACCURACY = P + "accuracy"
MACRO_F1 = P + "macro-f1"
SPLIT = P + "split"
SHOW_ALL = P + "show-all"
RUN_INFO = P + "run-info"
BEFORE_AFTER = P + "before-after"
TITLE = P + "title"

# corrections and model
RELABEL_TO = P + "relabel-to"
RELABEL_ROWS = P + "relabel-rows"
RELABEL_ALL = P + "relabel-all"
UNDO = P + "undo"
EXPORT = P + "export"
DOWNLOAD = P + "download"
RETRAIN = P + "retrain"
CANCEL = P + "cancel"
PROGRESS = P + "progress"
C_VALUE = P + "c"
WEIGHTING = P + "weighting"
NGRAMS = P + "ngrams"
CHANGES = P + "changes"
RETRAIN_WATCH = job_watch_ids(P + "retrain-")  # the retrain job's watch: "stopped unexpectedly" and Retry

# the first model of a dataset, trained in a background job
FIRST = P + "first-training"
FIRST_PANEL = P + "first-panel"
FIRST_PROGRESS = P + "first-progress"
FIRST_STATUS = P + "first-status"

# relabel confirmation
CONFIRM = P + "confirm"
CONFIRM_TEXT = P + "confirm-text"
CONFIRM_YES = P + "confirm-yes"
CONFIRM_NO = P + "confirm-no"
PENDING = P + "pending"

# sentiment over time by ticker
TIMES = P + "times"
TIMES_NOTE = P + "times-note"
TICKERS = P + "tickers"
FREQ = P + "freq"
TIMES_EXPORT = P + "times-export"
TIMES_DOWNLOAD = P + "times-download"

GRAPHS = (CONFUSION, TRIANGLE, PIE, EXPLAIN, TIMES)
