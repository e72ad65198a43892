import json
import subprocess
import sys

import pyarrow.parquet as pq


def run(*args):
    return subprocess.run([sys.executable, "-m", "models.logs", *args], capture_output=True, text=True, timeout=120)


def test_generate_then_parse_round_trip(tmp_path):
    log = tmp_path / "shop.log.gz"
    assert run("generate", "--lines", "5000", "--seed", "3", "--out", str(log)).returncode == 0
    out = run("parse", str(log), "--out", str(tmp_path / "parsed"), "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert (summary["lines"], summary["parsed"], summary["rejected"]) == (5000, 5000, 0)
    assert summary["seconds"] > 0 and summary["max_rss_mb"] > 0
    assert summary["files"] == ["part-00000.parquet"]
    assert pq.read_table(tmp_path / "parsed").num_rows == 5000
    in_memory = json.loads(run("parse", str(log), "--json").stdout)
    assert (in_memory["lines"], in_memory["parsed"]) == (5000, 5000) and "files" not in in_memory


def test_parse_errors_are_messages_not_tracebacks(tmp_path):
    (tmp_path / "bin.log").write_bytes(b"\x00\x01" * 50)
    out = run("parse", str(tmp_path / "bin.log"), "--json")
    assert out.returncode == 2 and "binary" in out.stderr and "Traceback" not in out.stderr
    out = run("parse", str(tmp_path / "missing.log"))
    assert out.returncode == 2 and "no such file" in out.stderr
