"""A BigCommerce store that runs on this machine (see server.py)."""

from .server import SandboxStore

__all__ = ["SandboxStore"]
