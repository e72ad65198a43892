"""Component ids of the logs page (prefix ``logs-``), and the constants the browser script needs."""

from models.logs.sources import PATH_PREFIX
from webapp.components.job_watch import job_watch_ids

P = "logs-"
URL, VIEW, UPLOAD, UPLOAD_MSG, SOURCE, GRAN, RESET = (
    P + n for n in ("url", "view", "upload", "upload-msg", "source", "granularity", "reset")
)
# A store: ``{"hash", "at"}``, the URL fragment when it says something the view does not (a link, back/forward);
# what a click or a gesture sets together with the view stays in the browser (assets/logs.js ``fragment``).
FRAGMENT = P + "fragment"
TIMESERIES, DAILY, HOURLY, PRODUCTS, CATEGORIES, STATUS, HEATMAP = (
    P + n for n in ("timeseries", "daily", "hourly", "products", "categories", "status", "heatmap")
)
STATS, COMPARE, CHIPS, GRID, PAGER, PREV, NEXT, ERROR = (
    P + n for n in ("stats", "compare", "chips", "events", "pager", "prev", "next", "error")
)
# A store: ``{"source": ...}`` of the view, set only when the source changes (assets/logs.js ``viewSource``), so
# what depends on the source alone (the prepare request, the share note) does not answer every click.
VIEW_SOURCE = P + "view-source"
# A store: per chart, what the figure the browser shows was drawn from (``render.drawn_from``), so a click redraws
# only what changed (the clicked chart: its colours only).
DRAWN = P + "drawn"
ZOOM = P + "zoom"  # a store: the time series' visible x range when zoomed (epoch ms), else None
LIVE, LIVE_SWITCH, LIVE_TICK, LIVE_HINT = (P + n for n in ("live", "live-switch", "live-tick", "live-hint"))
UPLOAD_START, UPLOAD_CHUNK, UPLOAD_ACK, UPLOAD_PROGRESS = (
    P + n for n in ("upload-start", "upload-chunk", "upload-ack", "upload-progress")
)
UPLOAD_OK, UPLOAD_ERROR, SOURCE_ERROR = P + "upload-ok", P + "upload-error", P + "source-error"
STAT_EVENTS, STAT_ERRORS, STAT_5XX, STAT_BYTES = (P + "stat-" + n for n in ("events", "errors", "5xx", "bytes"))
COMPARE_NOTE, COMPARE_TABLE = P + "compare-note", P + "compare-table"
# The stat cards and the comparison table stand in the layout; a drawing sets their texts only (see ``panels``).
STAT_VALUES = (STAT_EVENTS, STAT_ERRORS, STAT_5XX, STAT_BYTES)
STAT_PREVIOUS = tuple(value + "-previous" for value in STAT_VALUES)
COMPARE_ROWS = ("events", "errors", "5xx", "MiB")
COMPARE_CELLS = tuple(f"{P}compare-{row}-{when}" for row in COMPARE_ROWS for when in ("selected", "previous"))
# Opening a source that is not stored yet: render asks (PREPARE), a background job parses it with a progress
# bar and says when it is done (PREPARED), which draws the page again.
PREPARE, PREPARED, PREPARE_BOX, PREPARE_PROGRESS, PREPARE_MSG = (
    P + n for n in ("prepare", "prepared", "prepare-box", "prepare-progress", "prepare-msg")
)
PREPARE_WATCH = job_watch_ids(P + "prepare-")  # the parse job's watch: "stopped unexpectedly" and Retry
CHIP_TYPE = P + "chip"  # pattern-matching id {"type": CHIP_TYPE, "dim": ..., "value": ...}
CLIENT = P + "client"  # a store holding CLIENT_CONFIG for assets/logs.js
SHARE, SHARE_NOTE = P + "share", P + "share-note"  # the shown upload's visibility for its owner

# Chart ids by the name the figure builders and the callbacks' named outputs use.
GRAPHS = {
    "timeseries": TIMESERIES,
    "daily": DAILY,
    "hourly": HOURLY,
    "products": PRODUCTS,
    "categories": CATEGORIES,
    "status": STATUS,
    "heatmap": HEATMAP,
}
# Which filter a click on each chart sets, and which field of Plotly's clicked point holds the value.
CLICK_DIMENSIONS = {DAILY: "days", HOURLY: "hours", PRODUCTS: "products", CATEGORIES: "categories", STATUS: "statuses"}
CLICK_FIELDS = {DAILY: "x", HOURLY: "x", PRODUCTS: "y", CATEGORIES: "y", STATUS: "label"}
CLIENT_CONFIG = {
    "dims": CLICK_DIMENSIONS,
    "fields": CLICK_FIELDS,
    "uploadStart": UPLOAD_START,
    "pathPrefix": PATH_PREFIX,
}
