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

# who may see the chosen dataset: the user's own entry, team or private
SHARE = P + "share"
SHARE_NOTE = P + "share-note"
# who may see the model run shown: its owner shares it with the team or makes it private
RUN_SHARE = P + "run-share"
RUN_SHARE_NOTE = P + "run-share-note"


# labelling queue (the Label tab) and unlabelled rows
MODE_TABS = P + "mode-tabs"
LABEL_COUNTS = P + "label-counts"
SHOW_UNLABELLED = P + "show-unlabelled"
QUEUE = P + "queue"  # the Label tab's panel; assets/label_queue.js listens for keys only while it is visible
QUEUE_MODE = P + "queue-mode"
QUEUE_ITEM = P + "queue-item"  # the row on screen: {"dataset", "row", "expected", "turn"}
QUEUE_SESSION = P + "queue-session"  # this tab's answers, skips and answers since the last retrain
QUEUE_TEXT = P + "queue-text"
QUEUE_STATUS = P + "queue-status"
QUEUE_PROBA = P + "queue-proba"
QUEUE_TOKENS = P + "queue-tokens"
QUEUE_ANSWER = P + "queue-answer"  # pattern-matching type: {"type": QUEUE_ANSWER, "label": "negative"}
QUEUE_SKIP = P + "queue-skip"
QUEUE_UNDO = P + "queue-undo"
QUEUE_RETRAIN = P + "queue-retrain"  # a counter the queue bumps every K answers: the Retrain job's third trigger
QUEUE_ANSWERED = P + "queue-answered"
LEARNING_CURVE = P + "learning-curve"

# sentiment over time by ticker
TIMES = P + "times"
TIMES_NOTE = P + "times-note"
TICKERS = P + "tickers"
FREQ = P + "freq"
TIMES_EXPORT = P + "times-export"
TIMES_DOWNLOAD = P + "times-download"

GRAPHS = (CONFUSION, TRIANGLE, PIE, EXPLAIN, QUEUE_TOKENS, LEARNING_CURVE, TIMES)
