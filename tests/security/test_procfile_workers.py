"""Issue 11 item 12 (workers never recycled) and issue 12 item 20 (a fresh worker's first bundle request is a 500).

Dash registers the component bundles it may serve in a first-request hook that sets its "done" flag before the
work, so with gunicorn's threads the first burst of requests a worker receives could find "dash is not a
registered library" (a blank page). ``create_app`` now runs that setup before the worker accepts a connection.
"""

from __future__ import annotations

import re
import shlex
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.security.conftest import SECRET, procfile_command, start_gunicorn, stop, wait_until_listening


def _option(name: str) -> int:
    args = shlex.split(procfile_command())
    return int(args[args.index(name) + 1])


def test_procfile_recycles_workers_with_jitter():
    max_requests, jitter = _option("--max-requests"), _option("--max-requests-jitter")
    assert max_requests > 0 and 0 < jitter < max_requests


def _bundle_urls(tmp_path) -> list[str]:
    """Every script and stylesheet the index page references, from an app built in-process (same fingerprints)."""
    from webapp import create_app

    page = create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "inproc")}).server.test_client().get("/").text
    urls = re.findall(r'(?:src|href)="(/_dash-component-suites/[^"]+)"', page)
    assert len(urls) > 5
    return urls


def _burst(server, urls, rounds=3) -> list[tuple[str, int]]:
    """All bundles at once, several times over, from 16 threads: both workers, all their threads."""
    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(lambda url: (url, server.get(url, timeout=120)[0]), urls * rounds))


def _worker_pids_booted(server) -> set[int]:
    return {int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", server.log)}


def test_fresh_workers_serve_every_bundle_before_any_page(tmp_path):
    urls = _bundle_urls(tmp_path)
    # Small recycling limits so new workers appear within the test; the rest of the line is the Procfile's.
    server = start_gunicorn(
        tmp_path,
        {"GLASSBOX_SECRET_KEY": SECRET},
        wait=False,
        options={"--max-requests": "40", "--max-requests-jitter": "5"},
    )
    try:
        wait_until_listening(server)
        answers = _burst(server, urls)  # the very first requests these workers get
        assert [a for a in answers if a[1] != 200] == []
        first_workers = _worker_pids_booted(server)
        # Past --max-requests (+ jitter) each worker is replaced; a replacement's first requests are bundles too.
        # 2 workers × (40 + 5) requests at most before both are replaced: send more than that in all, whatever
        # the number of bundles and however the two workers share them.
        answers = _burst(server, urls, rounds=-(-2 * (40 + 5 + 10) // len(urls)))
        assert [a for a in answers if a[1] != 200] == []
        deadline = time.monotonic() + 120
        while len(_worker_pids_booted(server) - first_workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        recycled = _worker_pids_booted(server) - first_workers
        print(f"{len(urls)} bundles; workers replaced: {len(recycled)}")
        assert recycled, "no worker was recycled after --max-requests:\n" + server.log[-3000:]
        answers = _burst(server, urls)
        assert [a for a in answers if a[1] != 200] == []
    finally:
        stop(server)


@pytest.mark.parametrize("path", ["/", "/logs", "/sentiment", "/nn-builder", "/explore"])
def test_gunicorn_serves_every_page(procfile_server, path):
    status, _, body = procfile_server.get(path)
    assert status == 200 and b"Glassbox" in body
