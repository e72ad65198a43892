"""Component ids of the Explore page, all prefixed ``explore-``."""

P = "explore-"

TITLE = P + "title"

# 1. the normal distribution
NORMAL = P + "normal"
MU = P + "mu"
SIGMA = P + "sigma"

# 2. kernel regression
KERNEL = P + "kernel"
POINTS = P + "points"  # store: the data points
SELECTED = P + "selected-point"  # store: the index of the picked-up point, or None
BANDWIDTH = P + "bandwidth"  # slider, in log10
BANDWIDTH_BOX = P + "bandwidth-value"  # the bandwidth itself
ORDER = P + "order"
BANDS = P + "bands"
TEST_X = P + "test-x"
RESET_POINTS = P + "reset-points"
KERNEL_INFO = P + "kernel-info"

# 3. the S&P 500 interval
INDEX = P + "index"
LOG_SCALE = P + "log-scale"
WINDOW_YEARS = P + "window-years"
WINDOW_START = P + "window-start"
INTERVAL = P + "interval"  # store: {start, end, years}
INDEX_STATS = P + "index-stats"
TOTAL_RETURN = P + "total-return"

GRAPHS = (NORMAL, KERNEL, INDEX)
