"""Following a growing log: only appended bytes are parsed; truncation and rotation start over."""

import gzip
import os

import numpy as np
import pytest

from models.logs import follow as follow_module
from models.logs.aggregate import Filters, dashboard
from models.logs.follow import Position, follow, snapshot

LINE = '10.0.0.{i} - - [01/May/2023:10:{m:02d}:{s:02d} +0000] "GET /product.screen?productId=P{p} HTTP/1.1" {code} 100 "-" "Mozilla/5.0"\n'


def lines(first: int, count: int, minute: int = 0) -> str:
    return "".join(
        LINE.format(i=i % 250, m=minute + i // 60 % 50, s=i % 60, p=i % 3, code=200 if i % 4 else 503)
        for i in range(first, first + count)
    )


@pytest.fixture(autouse=True)
def empty_cache():
    follow_module._cache.clear()
    yield
    follow_module._cache.clear()


def test_appended_lines_are_parsed_from_the_last_offset(tmp_path, monkeypatch):
    path = tmp_path / "access.log"
    path.write_text(lines(0, 50))
    first = snapshot(path)
    assert len(first.events) == 50 and first.position.lines == 50 and first.position.offset == path.stat().st_size

    parsed = []
    real = follow_module.parse_bytes
    monkeypatch.setattr(
        follow_module, "parse_bytes", lambda data, name, **kw: parsed.append(data) or real(data, name=name, **kw)
    )
    with open(path, "a") as out:
        out.write(lines(50, 30, minute=1) + '10.0.0.9 - - [01/May/2023:11:00:00 +0000] "GET / HT')  # half a line
    grown = follow(path, first.position)
    assert parsed == [lines(50, 30, minute=1).encode()]  # only the new whole lines
    assert grown.added == 30 and len(grown.events) == 80 and not grown.restarted
    assert grown.earliest == int(grown.events.ts[50])
    assert grown.events.table["line"].to_pylist()[-1] == 80

    with open(path, "a") as out:
        out.write('TP/1.1" 200 5 "-" "curl/8"\n')  # the line is finished
    again = follow(path, grown.position)
    assert again.added == 1 and again.position.lines == 81
    assert follow(path, again.position).position == again.position  # nothing new


def test_another_worker_continues_from_a_position_it_never_saw(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(lines(0, 40))
    position = snapshot(path).position
    with open(path, "a") as out:
        out.write(lines(40, 10, minute=2))
    follow_module._cache.clear()  # a different process: no snapshot in memory
    grown = follow(path, position)
    assert grown.added == 10 and len(grown.events) == 50
    whole = snapshot(path)
    assert dashboard(grown.events, Filters())["stats"] == dashboard(whole.events, Filters())["stats"]


def test_a_truncated_file_is_read_again_from_its_start(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(lines(0, 60))
    position = snapshot(path).position
    path.write_text(lines(0, 5))  # same inode, shorter
    restarted = follow(path, position)
    assert restarted.restarted and len(restarted.events) == 5 and restarted.position.offset == path.stat().st_size


def test_a_rotated_file_is_read_again_from_its_start(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(lines(0, 60))
    position = snapshot(path).position
    os.rename(path, tmp_path / "access.log.1")
    path.write_text(lines(0, 70) + lines(70, 10, minute=3))  # a new file, longer than the old one
    rotated = follow(path, position)
    assert rotated.restarted and len(rotated.events) == 80
    assert rotated.position.inode == os.stat(path).st_ino != position.inode


def test_a_gzip_file_is_read_whole_when_it_changes(tmp_path):
    path = tmp_path / "access.log.gz"
    path.write_bytes(gzip.compress(lines(0, 20).encode()))
    position = snapshot(path).position
    assert follow(path, position).position == position
    path.write_bytes(gzip.compress(lines(0, 30).encode()))
    changed = follow(path, position)
    assert changed.restarted and len(changed.events) == 30


def test_positions_round_trip_through_the_browser_store():
    position = Position(device=1, inode=2, offset=3, lines=4)
    assert Position.from_dict({**position.to_dict(), "source": "path:/x", "buckets": 9}) == position
    assert Position.from_dict(None) is None and Position.from_dict({"offset": "x"}) is None


def test_following_keeps_the_cube_equal_to_a_fresh_build(tmp_path):
    path = tmp_path / "access.log"
    path.write_text(lines(0, 300))
    snap = snapshot(path)
    snap.events.cube  # noqa: B018 - built before the appends, as on the page
    for step in range(3):
        with open(path, "a") as out:
            out.write(lines(300 + step * 100, 100, minute=5 + step))
        snap = follow(path, snap.position)
    follow_module._cache.clear()
    fresh = snapshot(path).events
    assert fresh is not snap.events
    np.testing.assert_array_equal(snap.events.cube.count, fresh.cube.count)
    np.testing.assert_array_equal(snap.events.cube.hour, fresh.cube.hour)
