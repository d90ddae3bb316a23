"""Limits and defaults for the whole app, in one place (no Qt).

The CLI, every file loader, the live trainer and the window's controls read these
numbers from here, so a model the CLI can build is one the window can open, and a
file the window refuses is one the CLI refuses too.
"""

from __future__ import annotations

# The network's shape.
MAX_HIDDEN_LAYERS = 8
MIN_NEURONS = 1
MAX_NEURONS = 16  # per hidden layer: each neuron's map must stay readable in the network view

# Classes: class ids run 0 .. MAX_CLASSES - 1 in files and the CLI; the window's class
# picker offers the first DRAWN_CLASSES, one per colour of the colour-blind-safe palette.
MAX_CLASSES = 16
DRAWN_CLASSES = 6

# Numbers a file or the CLI may hold: beyond these, float arithmetic overflows or the
# window cannot draw, so they are refused with a message instead of breaking the app.
MAX_COORDINATE = 1e6  # |x| and |y| of a point, and |value| of a regression point
MAX_POINTS = 1_000_000  # points in a data set or session
MAX_EPOCH = 10**12  # an epoch counter far beyond any run, well inside int64
MAX_LEARNING_RATE = 100.0
MIN_LEARNING_RATE = 1e-9
MAX_BATCH_SIZE = 1_000_000
MAX_REG_RATE = 100.0
MAX_NOISE = 0.5
MAX_FILE_BYTES = 512 * 2**20  # a data or session file larger than this is refused unread
MAX_SEED = 2**63 - 1  # a random seed (numpy takes any int; files and the CLI keep it in int64)
MAX_FEATURES = 7  # input features of a network (engine.features.FEATURES)

# Defaults: what a new window, a new session and the CLI start with.
DEFAULT_HIDDEN: tuple[int, ...] = (4, 2)
DEFAULT_ACTIVATION = "tanh"
DEFAULT_LEARNING_RATE = 0.03
DEFAULT_OPTIMIZER = "sgd"
DEFAULT_BATCH_SIZE = 10
DEFAULT_POINTS = 500
DEFAULT_TRAIN_RATIO = 0.5
DEFAULT_PRESET = "circle"


def check_hidden(hidden: tuple[int, ...] | list[int]) -> str | None:
    """None when the hidden layer sizes are within the limits, else what is wrong (one phrase)."""
    if len(hidden) > MAX_HIDDEN_LAYERS or any(not MIN_NEURONS <= int(h) <= MAX_NEURONS for h in hidden):
        shown = ",".join(str(h) for h in hidden[: MAX_HIDDEN_LAYERS + 1])
        if len(hidden) > MAX_HIDDEN_LAYERS + 1:
            shown += f",... ({len(hidden)} layers)"
        return f"0 to {MAX_HIDDEN_LAYERS} hidden layers of {MIN_NEURONS} to {MAX_NEURONS} neurons, not {shown}"
    return None


def check_layer_sizes(sizes: list[int]) -> str | None:
    """None when a whole network (inputs, hidden layers, outputs) is within the limits, else what is wrong."""
    if not MIN_NEURONS <= sizes[0] <= MAX_FEATURES:
        return f"{sizes[0]} inputs (a network has 1 to {MAX_FEATURES}, one per feature)"
    if not MIN_NEURONS <= sizes[-1] <= MAX_CLASSES:
        return f"{sizes[-1]} outputs (a network has 1 to {MAX_CLASSES}, one per class)"
    return check_hidden(sizes[1:-1])

# Animations (train --animate, File -> Export animation).
DEFAULT_FRAMES = 60
MIN_FRAMES = 2
MAX_FRAMES = 1000
DEFAULT_ANIMATION_SIZE = 400  # pixels, square
MIN_ANIMATION_SIZE = 100
MAX_ANIMATION_SIZE = 1600
DEFAULT_ANIMATION_EPOCHS = 300  # the window's suggestion when the session has trained fewer

# Replay (the training timeline): keyframes are the network's weights at chosen epochs.
KEYFRAME_LOG_STEP = 1.25  # keyframes at epochs 0, 1, 2, ... then each at least 25% after the previous
KEYFRAMES_PER_SECOND = 4  # besides those, at most this many a second while training runs
MAX_KEYFRAMES = 400  # kept in the window's memory; when full, the most crowded (on a log scale) goes
MAX_KEYFRAME_BYTES = 4 * 2**20  # and at most this many bytes of weights (a big network keeps fewer)
MAX_SESSION_KEYFRAMES = 64  # kept in a session file (thinned the same way when saving)
MAX_SESSION_KEYFRAME_VALUES = 60_000  # weights and biases over all of a session's keyframes (about 1.2 MB)

# Live curves (loss history, gradient flow): the window keeps at most this many entries of each
# (then thins the older ones to every other), and a session holds at most as many gradient rows.
MAX_SERIES_ENTRIES = 100_000
MAX_SESSION_GRADIENTS = MAX_SERIES_ENTRIES

# Compare mode (View -> Compare): B never runs ahead of A, and A leads B by at most a lead that
# starts at COMPARE_LEAD_MIN epochs and doubles (up to COMPARE_LEAD_MAX) whenever both runs report
# waiting at their holds, i.e. whenever the lead, not B's speed or the pace, held both back.
COMPARE_LEAD_MIN = 2
COMPARE_LEAD_MAX = 500
