"""What a viewer sees: the dashboards, and none of the controls that change something.

The server refuses a viewer's writes (tests/unit/test_ownership_callbacks.py); this checks the screen, where
a control can be "hidden" in the markup and still drawn (a Bootstrap ``d-flex`` beats the ``hidden`` attribute).
"""

import pytest

from tests.auth.helpers import add_user, sign_in_browser
from webapp.views.logs import ids as logs_ids
from webapp.views.sentiment import ids as sentiment_ids

pytestmark = pytest.mark.browser


def _shown(dash_duo, element_id: str) -> bool:
    found = dash_duo.driver.find_elements("id", element_id)
    return bool(found) and found[0].is_displayed()


def test_a_viewer_sees_the_dashboards_but_no_control_that_writes(dash_duo, password_app):
    add_user(password_app, "vic", "viewer")
    dash_duo.start_server(password_app, navigate=False)
    sign_in_browser(dash_duo, "vic", next_path="/sentiment")
    dash_duo.wait_for_contains_text("#sentiment-label-counts", "negative", timeout=120)
    dash_duo.wait_for_element(f"#{sentiment_ids.EXPORT}", timeout=30)
    assert _shown(dash_duo, sentiment_ids.EXPORT)  # reading is allowed: the export is there
    for control in (
        sentiment_ids.UPLOAD,
        sentiment_ids.SHARE,
        sentiment_ids.RUN_SHARE,
        sentiment_ids.RELABEL_ALL,
        sentiment_ids.UNDO,
        sentiment_ids.RETRAIN,
        sentiment_ids.QUEUE_UNDO,
    ):
        assert not _shown(dash_duo, control), control

    dash_duo.driver.get(f"{dash_duo.server.url.rstrip('/')}/logs")
    dash_duo.wait_for_contains_text(f"#{logs_ids.STATS}", "Events", timeout=120)
    assert not _shown(dash_duo, logs_ids.UPLOAD)
    assert not _shown(dash_duo, logs_ids.SHARE)
    assert dash_duo.get_logs() == []
