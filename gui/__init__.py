"""Neural Sandbox's window: PySide6 + pyqtgraph views over the engine.

PySide6 is imported here, before any module of this package imports pyqtgraph, because
pyqtgraph binds to whichever Qt binding was imported first.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# isort: off
import PySide6.QtCore  # noqa: E402,F401  (must precede pyqtgraph)
import pyqtgraph as pg  # noqa: E402

# isort: on

pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")
