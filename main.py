"""Neural Sandbox: ``main.py`` opens the window; ``main.py train ...`` trains headless."""

from __future__ import annotations

import os
import sys

# One BLAS thread: the matrices are tiny, and the GUI and the trainer share two cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the headless trainer or the window."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "train":
        from engine.cli import main as train

        return train(argv[1:])
    from gui.app import main as window

    return window(argv)


def run() -> None:
    """Console-script entry point (``neural-sandbox``)."""
    sys.exit(main())


if __name__ == "__main__":
    run()
