"""Who may hold the run lease, without the ORM: the lease's name and the test for a holder that died on this host
(shared by connector.state, which takes and renews the lease, and `status`, which only reads it)."""

from __future__ import annotations

import os
import socket

LEASE_NAME = "portal"


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_is_dead(holder: str) -> bool:
    """A lease left by a crashed process on this host can be taken over at once."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
