"""Neural Sandbox's window: PySide6 + pyqtgraph views over the engine.

PySide6 is imported here, before any module of this package imports pyqtgraph, because
pyqtgraph binds to whichever Qt binding was imported first; and before pyqtgraph's hundred
modules, PySide's check of each new import is made cheap (``gui.quick_start``).
"""

import os
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# pyqtgraph 0.14 sets ndarray.shape, which NumPy 2.5 deprecates (pyproject bounds numpy below 2.5; this
# silences exactly that warning from that module should a newer numpy be installed anyway).
warnings.filterwarnings("ignore", message="Setting the shape on a NumPy array", category=DeprecationWarning,
                        module=r"pyqtgraph\.functions")

# isort: off
import PySide6.QtCore  # noqa: E402,F401  (must precede pyqtgraph)

from gui.quick_start import quicken_pyside_imports  # noqa: E402

quicken_pyside_imports()
import pyqtgraph as pg  # noqa: E402

# isort: on

pg.setConfigOptions(antialias=True, imageAxisOrder="row-major")
