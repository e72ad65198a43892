"""A real gunicorn server (2 workers, loopback) for attacks over HTTP, and a client for Dash callbacks.

The server runs the Procfile's app (``webapp.wsgi:server``) with the Procfile's worker settings;
``worker_memory`` reads each worker's resident and peak resident size from ``/proc`` so a test
can print what an attack cost and assert a bound.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIB = 1 << 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def post_json(url: str, body: dict, timeout: float = 120) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path
    data_dir: Path

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def worker_memory(self) -> dict[int, tuple[int, int]]:
        """``{pid: (VmRSS, VmHWM)}`` in bytes for every worker: resident now and its peak so far."""
        found = {}
        for pid in self.workers():
            fields = {}
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0]) * 1024
            found[pid] = (fields["VmRSS"], fields["VmHWM"])
        return found

    def callback(self, output_ids: str, inputs: list[dict], state: list[dict] | None = None) -> tuple[int, dict]:
        """POST one Dash callback, as the browser does: the callback whose outputs include ``output_ids``."""
        status, body = get(self.base + "/_dash-dependencies")
        assert status == 200
        deps = json.loads(body)
        triggers = {(i["id"], i["property"]) for i in inputs}
        matches = [
            d for d in deps if output_ids in d["output"] and triggers <= {(i["id"], i["property"]) for i in d["inputs"]}
        ]
        assert matches, f"no callback outputs {output_ids} from {triggers}"
        dep = matches[0]
        values = {(i["id"], i["property"]): i.get("value") for i in inputs + (state or [])}

        def spec(items):
            return [
                {"id": i["id"], "property": i["property"], "value": values.get((i["id"], i["property"]))} for i in items
            ]

        outputs = []
        for part in dep["output"].strip(".").split("..."):
            component, _, prop = part.rpartition(".")
            prop = prop.split("@")[0]
            outputs.append({"id": component, "property": prop})
        payload = {
            "output": dep["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": spec(dep["inputs"]),
            "state": spec(dep["state"]),
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs],
        }
        status, raw = post_json(self.base + "/_dash-update-component", payload)
        try:
            return status, json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return status, {"raw": raw.decode(errors="replace")}


def start(tmp_path: Path, env: dict[str, str] | None = None, workers: int = 2) -> Server:
    """gunicorn on a free loopback port with its own data directory; waits for /healthz."""
    port = _free_port()
    data_dir = tmp_path / "data"
    environ = {
        **os.environ,
        "GLASSBOX_DATA_DIR": str(data_dir),
        "GLASSBOX_SECRET_KEY": "security-test-" + os.urandom(8).hex(),
        "PYTHONPATH": str(ROOT),
        "GLASSBOX_AUTH": "none",  # no gunicorn hook here to see the loopback bind
        **(env or {}),
    }
    log = tmp_path / "gunicorn.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "webapp.wsgi:server",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        "8",
        "--timeout",
        "120",
    ]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=environ, start_new_session=True, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited:\n" + log.read_text(errors="replace"))
        try:
            if get(base + "/healthz", timeout=5)[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        stop_process(process)
        raise RuntimeError("gunicorn did not answer /healthz within 120 s:\n" + log.read_text(errors="replace"))
    server = Server(base, process, log, data_dir)
    deadline = time.monotonic() + 60
    while len(server.workers()) < workers and time.monotonic() < deadline:
        time.sleep(0.2)
    return server


def stop_process(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
