"""Loopback ports for the local servers (nginx, SeaweedFS, the tests' HTTP receivers)."""

from __future__ import annotations

import random
import socket

# Ports the kernel never hands out as a connection's source port (below Linux's default
# ephemeral range, 32768-60999). weed starts its servers one after another while the first
# ones already connect out; a port picked from the ephemeral range can be taken by such a
# connection before the filer binds it ("bind: address already in use").
QUIET_PORTS = range(20000, 32768)


def quiet_ports(host: str, count: int) -> list[int]:
    """`count` distinct ports that are free on `host` now and outside the ephemeral range:
    each is held open until all are found, so no two are the same."""
    held: list[socket.socket] = []
    try:
        for port in random.sample(QUIET_PORTS, len(QUIET_PORTS)):
            probe = socket.socket()
            try:
                probe.bind((host, port))
            except OSError:
                probe.close()
                continue
            held.append(probe)
            if len(held) == count:
                return [int(sock.getsockname()[1]) for sock in held]
        raise RuntimeError(f"fewer than {count} free ports on {host} in {QUIET_PORTS}")
    finally:
        for sock in held:
            sock.close()


def free_port(host: str = "127.0.0.1") -> int:
    """One port free on `host` now, outside the ephemeral range."""
    return quiet_ports(host, 1)[0]
