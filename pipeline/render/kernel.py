"""The kernel that runs the paper notebooks: Unix sockets, not TCP on localhost.

A kernel on TCP can be reached by anyone on the machine who can read its connection file's
ports, and ipykernel warns that its traffic is unencrypted; with IPC transport its sockets are
files beside the connection file in Jupyter's runtime folder, private to the user. Windows has
no IPC transport for ZeroMQ, so it keeps TCP there.
"""

from __future__ import annotations

import os

from jupyter_client.manager import KernelManager
from traitlets import CaselessStrEnum


class IPCKernelManager(KernelManager):
    """A kernel manager whose kernels listen on IPC sockets (POSIX) by default."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc" if os.name == "posix" else "tcp", config=True)
