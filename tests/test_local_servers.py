"""`make serve-nginx` and `make serve-s3` as a person uses them: SIGTERM (not only Ctrl-C)
stops every process they started, and frees the port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from deploy import s3_local
from deploy.ports import free_port, quiet_ports
from deploy.s3_local import LocalS3
from tests.helpers.sites import REPO, SiteDir, alert_doc
from tests.helpers.waiting import wait_until


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found |= {child, *descendants(child)}
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has stopped


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def stops_on_sigterm(command: list[str], port: int, started: str, timeout: float) -> None:
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    lines: list[str] = []

    def ready() -> bool:
        assert process.poll() is None, "".join(lines) + (process.stderr.read() if
                                                         process.stderr else "")
        return listening(port) and bool(descendants(process.pid))

    started_processes: set[int] = set()
    try:
        wait_until(ready, timeout=timeout, interval=0.1, what=started)
        started_processes = descendants(process.pid)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=90) == 0
        wait_until(lambda: not any(map(alive, started_processes)), timeout=30,
                   what="every process it started to stop")
        assert not listening(port)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in filter(alive, started_processes):  # what a failing run left behind
            os.kill(pid, signal.SIGKILL)


def test_sigterm_stops_the_nginx_of_nginx_local(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    port = free_port()
    stops_on_sigterm([sys.executable, "-m", "deploy.nginx_local", str(tmp_path),
                      f"127.0.0.1:{port}"], port, "nginx listening", timeout=30)


def test_sigterm_stops_the_store_and_watcher_of_s3_local(site: SiteDir) -> None:
    site.photo("anna.jpg")
    site.write("anna.json", alert_doc())
    site.settings_text('base_url = "http://127.0.0.1:8000/"\n')
    port = free_port()
    stops_on_sigterm([sys.executable, "-m", "deploy.s3_local", "--port", str(port), "--site",
                      str(site.root), "--alerts", str(site.alerts), "--out", str(site.out)],
                     port, "S3 listening", timeout=60)


def test_weeds_ports_are_distinct_and_never_a_connections_source_port() -> None:
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    for _ in range(20):
        ports = quiet_ports("127.0.0.1", 8)
        assert len(set(ports)) == 8
        assert not any(low <= port <= high for port in ports)


def test_weed_starts_again_on_fresh_ports_when_one_was_taken(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The CI failure this guards: the filer's gRPC port was taken before weed bound it."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", quiet_ports("127.0.0.1", 1)[0]))
    taken.listen()
    handed: list[list[int]] = []

    def first_with_a_taken_port(host: str, count: int) -> list[int]:
        ports = quiet_ports(host, count)
        if count > 1:
            if not handed:
                ports[5] = taken.getsockname()[1]  # filer.port.grpc
            handed.append(ports)
        return ports

    monkeypatch.setattr(s3_local, "quiet_ports", first_with_a_taken_port)
    server = LocalS3()
    try:
        with taken:
            server.start()
        assert len(handed) == 2
        assert listening(server.port)
    finally:
        server.stop()
