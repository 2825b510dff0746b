"""Running the project's own scripts (faults, load, a killed worker) from a test and reading their figures."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"^(\w+): (.*)$", re.MULTILINE)


def run_script(*args: str, env: dict, timeout: int = 300) -> dict[str, str]:
    """Run ``python ARGS`` from the repository root with ``env``; the ``name: value`` lines it printed.

    A non-zero exit fails the test with everything the script printed.
    """
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return dict(FIGURE.findall(result.stdout))
