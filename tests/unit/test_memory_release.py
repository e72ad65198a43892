"""Issue 11 item 12: after a big read a worker hands memory back to the OS (glibc malloc_trim, Arrow's pool).

Each case runs in a fresh process, once as shipped and once with ``release_memory`` disabled,
and prints resident memory before, at the peak, and after the result is dropped.
"""

import ctypes.util
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import gc, gzip, io, json, sys
    import numpy as np, pyarrow as pa, pyarrow.parquet as pq
    import models.limits as limits
    import models.logs.parse as parse
    import models.sentiment.data as sdata

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) * 1024

    mode, trim = sys.argv[1], sys.argv[2] == "trim"
    if not trim:
        parse.release_memory = sdata.release_memory = lambda: False
    if mode == "parquet":
        rows = 500_000
        rng = np.random.default_rng(0)
        words = np.array(["stocks", "rise", "fall", "bank", "profit", "loss", "$TSLA", "guidance", "beat", "miss"])
        texts = [" ".join(words[rng.integers(0, 10, 12)]) + f" #{i}" for i in range(rows)]
        sink = io.BytesIO()
        pq.write_table(pa.table({"text": texts, "label": rng.integers(0, 3, rows)}), sink)
        data = sink.getvalue()
        del texts, sink
    else:
        from models.logs.generate import generate_log_lines
        data = gzip.compress(b"".join(generate_log_lines(250_000, seed=1)), 1)
    gc.collect()
    limits.release_memory()  # start both runs from a trimmed heap
    before = status("VmRSS")
    if mode == "parquet":
        result = sdata.read_table(data, "big.parquet", limits=limits.Limits(max_cells=None, max_bytes=None))
    else:
        result = parse.parse_bytes(data, name="big.log.gz")
    held = status("VmRSS")
    size = result.frame.memory_usage(deep=True).sum() if mode == "parquet" else result.table.nbytes
    del result
    gc.collect()
    limits.release_memory() if trim else None  # what a caller that trims after dropping a result gets
    print(json.dumps({"before": before, "held": held, "size": int(size), "after": status("VmRSS")}))
    """
)


def _run(mode: str, trim: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode, trim], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux") or not ctypes.util.find_library("c"), reason="glibc only")
@pytest.mark.parametrize("mode", ["parquet", "log"])
def test_a_big_read_gives_its_memory_back(mode):
    without, with_ = _run(mode, "no-trim"), _run(mode, "trim")
    mib = 1 << 20

    def show(label, f):
        return (
            f"{label}: RSS {f['before'] / mib:,.0f} MiB before, +{(f['held'] - f['before']) / mib:,.0f} while the "
            f"result ({f['size'] / mib:,.0f} MiB) is held, +{(f['after'] - f['before']) / mib:,.0f} after it is dropped"
        )

    print(f"\n{mode}\n  {show('without trimming', without)}\n  {show('with trimming', with_)}")
    kept_without, kept_with = without["after"] - without["before"], with_["after"] - with_["before"]
    assert kept_with < 32 * mib
    assert kept_with < kept_without / 2
    if mode == "log":  # the parse's own intermediates (16 MiB blocks, chunk tables) go back before it returns
        assert with_["held"] < without["held"]
