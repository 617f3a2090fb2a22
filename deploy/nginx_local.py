"""Run the shipped deploy/nginx.conf on loopback, without touching the system's nginx.

A small generated main config (prefix, pid, logs and temp folders in a private directory)
wraps one `server {}` that includes deploy/nginx.conf unchanged, so what `make serve-nginx`
and the tests serve is exactly what production serves.

    python -m deploy.nginx_local OUTPUT_DIR [HOST:]PORT    # foreground, Ctrl-C or SIGTERM stops
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from .ports import free_port

DEPLOY = Path(__file__).resolve().parent
SNIPPET = DEPLOY / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

MAIN_CONFIG = """\
{user}worker_processes 1;
events {{ worker_connections 512; }}
http {{
    access_log off;
    sendfile on;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server {{
        listen {host}:{port};
        root {root};
        include {snippet};
    }}
}}
"""


def write_config(prefix: Path, root: Path, host: str, port: int) -> Path:
    (prefix / "tmp").mkdir(parents=True, exist_ok=True)
    # As root, workers would drop to `nobody`, who cannot read a private temp or home folder.
    user = f"user {os.getenv('USER') or 'root'};\n" if os.geteuid() == 0 else ""
    config = prefix / "nginx.conf"
    config.write_text(MAIN_CONFIG.format(user=user, prefix=prefix, host=host, port=port,
                                         root=root.absolute(), snippet=SNIPPET))
    return config


def interrupt_on_sigterm() -> None:
    """SIGTERM stops like Ctrl-C: a KeyboardInterrupt, so the `finally` that stops the server
    runs (Python's default for SIGTERM is to die at once, leaving the server running)."""

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupt)


class LocalNginx:
    """nginx serving `root` on a free loopback port; a context manager."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.root = root
        self.host = host
        self.port = port or free_port(host)
        self.prefix = Path(tempfile.mkdtemp(prefix="kindalarm-nginx-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def command(self) -> list[str]:
        config = write_config(self.prefix, self.root, self.host, self.port)
        return [NGINX, "-p", str(self.prefix), "-c", str(config), "-e",
                str(self.prefix / "error.log"),
                "-g", f"daemon off; pid {self.prefix}/nginx.pid;"]

    def start(self, timeout: float = 10.0) -> LocalNginx:
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"nginx did not start: {error.strip()}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not listen on {self.host}:{self.port} in {timeout} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish open requests
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process and self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self) -> LocalNginx:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def main(argv: list[str]) -> int:
    interrupt_on_sigterm()
    if len(argv) not in (1, 2):
        print("usage: python -m deploy.nginx_local OUTPUT_DIR [HOST:]PORT", file=sys.stderr)
        return 2
    root = Path(argv[0])
    host, _, port = (argv[1] if len(argv) == 2 else "127.0.0.1:8080").rpartition(":")
    if not root.is_dir():
        print(f"no output directory {root}; run `make build` first", file=sys.stderr)
        return 1
    server = LocalNginx(root, host or "127.0.0.1", int(port))
    try:
        server.start()
        print(f"nginx serving {root} on {server.url} (Ctrl-C or SIGTERM stops)",
              file=sys.stderr)
        assert server.process is not None
        server.process.wait()
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
