"""What run B of compare mode is: run A's configuration with the user's differences laid over it.

B is never a separate copy that could drift: it is ``derive(A's configuration, differences)``,
computed again whenever A changes, so an edit of A (a learning rate, a layer) reaches B too
unless B overrides that very thing. A difference is one of eight kinds, each with a short list
of values to choose from (``CHOICES``); ``parse_difference`` reads the command line's
``--difference KIND=VALUE``. No widgets here: the panel and the presenter use it, tests too.

The surrogate gradient for step is not part of a ``Configuration`` (it is the trainer's switch,
turned off on Reset), so the functions that need A's value of it take it as ``surrogate``, and
``surrogate_of`` says what B uses: A's setting unless B's differences override it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine import limits
from engine.activations import ACTIVATIONS
from engine.config import Architecture
from engine.errors import EngineError
from engine.features import FEATURES, LABELS, check_features
from gui.config_model import Configuration

# The kinds of difference, in the order the panel lists them, with their names on screen.
KINDS = {"activation": "activation", "learning_rate": "learning rate", "optimizer": "optimizer",
         "layers": "layers", "features": "features", "batch_size": "batch size",
         "regularization": "regularization", "surrogate": "surrogate gradient"}

Regularization = tuple[str | None, float]  # (None, 0.0), ("l1", rate) or ("l2", rate)

# The short list of values offered for each kind (the layers' list also takes typed sizes).
CHOICES: dict[str, tuple[Any, ...]] = {
    "activation": tuple(ACTIVATIONS),
    "learning_rate": (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    "optimizer": ("sgd", "momentum", "adam"),
    "layers": ((), (2,), (4,), (8,), (4, 2), (8, 8), (8, 8, 8), (8,) * 6),
    "features": (("x1", "x2"), ("x1sq", "x2sq"), ("x1", "x2", "x1sq", "x2sq"), ("x1", "x2", "x1x2"),
                 ("x1", "x2", "sinx1", "sinx2"), tuple(FEATURES)),
    "batch_size": (1, 5, 10, 30, 100, 500),
    "regularization": ((None, 0.0), ("l1", 0.001), ("l1", 0.01), ("l2", 0.001), ("l2", 0.01), ("l2", 0.1)),
    "surrogate": (True, False),
}
ON_OFF = {"on": True, "true": True, "yes": True, "1": True, "off": False, "false": False, "no": False, "0": False}


def describe(kind: str, value: Any) -> str:
    """One difference as the user reads it: 'step', 'learning rate 3', 'layers 8,8', 'L2 0.01'."""
    if kind == "activation":
        return str(value)
    if kind == "learning_rate":
        return f"learning rate {value:g}"
    if kind == "optimizer":
        return {"sgd": "SGD", "momentum": "momentum", "adam": "Adam"}.get(str(value), str(value))
    if kind == "layers":
        sizes = tuple(value)
        return "layers " + ",".join(map(str, sizes)) if sizes else "no hidden layer"
    if kind == "features":
        return "features " + ", ".join(LABELS[name] for name in value)
    if kind == "batch_size":
        return f"batch size {value}"
    if kind == "surrogate":
        return "surrogate gradient" if value else "no surrogate gradient"
    name, rate = value
    return f"{str(name).upper()} {rate:g}" if name else "no regularization"


def value_of(kind: str, config: Configuration, surrogate: bool = False) -> Any:
    """What a run with ``config`` (and the ``surrogate`` gradient for step, or not) has for one kind
    of difference (compared with B's override to tell if it differs)."""
    arch, settings = config.architecture, config.settings
    if kind == "surrogate":
        return bool(surrogate)
    return {
        "activation": arch.activations[0] if arch.activations else None,
        "learning_rate": settings.learning_rate,
        "optimizer": settings.optimizer,
        "layers": arch.hidden,
        "features": arch.features,
        "batch_size": settings.batch_size,
        "regularization": (settings.regularization, settings.reg_rate if settings.regularization else 0.0),
    }[kind]


def derive(a: Configuration, differences: dict[str, Any]) -> Configuration:
    """Run B's configuration: A's, with each difference applied (layers before the activation)."""
    arch, settings = a.architecture, a.settings
    if "layers" in differences:
        hidden = tuple(int(n) for n in differences["layers"])
        fill = arch.activations[-1] if arch.activations else limits.DEFAULT_ACTIVATION
        activations = arch.activations[: len(hidden)] + (fill,) * (len(hidden) - len(arch.activations))
        arch = replace(arch, hidden=hidden, activations=activations)
    if "activation" in differences:
        arch = replace(arch, activations=(str(differences["activation"]),) * len(arch.hidden))
    if "features" in differences:
        arch = replace(arch, features=tuple(differences["features"]))
    for kind in ("learning_rate", "optimizer", "batch_size"):
        if kind in differences:
            settings = replace(settings, **{kind: differences[kind]})
    if "regularization" in differences:
        name, rate = differences["regularization"]
        settings = replace(settings, regularization=name, reg_rate=float(rate))
    return Configuration(arch, settings)


def surrogate_of(a_surrogate: bool, differences: dict[str, Any]) -> bool:
    """Whether run B's step layers use the surrogate gradient: A's setting unless B differs in it."""
    return bool(differences.get("surrogate", a_surrogate))


def differences_text(a: Configuration, differences: dict[str, Any], surrogate: bool = False) -> str:
    """B's differences from A (whose surrogate setting is ``surrogate``), in words ('step, learning rate 3'),
    or 'same as A'."""
    words = [describe(kind, value) for kind, value in differences.items()
             if value != value_of(kind, a, surrogate)]
    return ", ".join(words) if words else "same as A"


def a_text(a: Configuration, differences: dict[str, Any], surrogate: bool = False) -> str:
    """What A has where B differs ('tanh, learning rate 0.03'), or 'same as B'."""
    words = [describe(kind, value_of(kind, a, surrogate)) for kind, value in differences.items()
             if value != value_of(kind, a, surrogate)]
    return ", ".join(words) if words else "same as B"


def first_difference(a: Configuration) -> tuple[str, Any]:
    """The difference B starts with: A's activation against step (or step against tanh)."""
    current = a.architecture.activations[0] if a.architecture.activations else limits.DEFAULT_ACTIVATION
    return "activation", ("tanh" if current == "step" else "step")


def parse_difference(text: str) -> tuple[str, Any]:
    """'learning_rate=3' -> ('learning_rate', 3.0); EngineError naming the problem in one line.

    Values: an activation name; a learning rate; sgd, momentum or adam; layer sizes '8,8' ('' for
    none); features 'x1,x2,x1sq'; a batch size; regularization 'l2:0.01' or 'none'; surrogate 'on' or 'off'.
    """
    kind, equals, raw = text.partition("=")
    kind = kind.strip().replace("-", "_").replace(" ", "_")
    raw = raw.strip()
    if not equals or kind not in KINDS:
        raise EngineError(f"difference: KIND=VALUE with KIND one of {', '.join(KINDS)}, not {text!r}")
    try:
        value = _parse_value(kind, raw)
    except ValueError as problem:
        raise EngineError(f"difference: {kind} cannot be {raw!r} ({problem})") from None
    return kind, value


def _parse_value(kind: str, raw: str) -> Any:
    if kind == "activation":
        if raw not in ACTIVATIONS:
            raise ValueError(f"one of {', '.join(ACTIVATIONS)}")
        return raw
    if kind == "learning_rate":
        rate = float(raw)
        if not limits.MIN_LEARNING_RATE <= rate <= limits.MAX_LEARNING_RATE:
            raise ValueError(f"from {limits.MIN_LEARNING_RATE:g} to {limits.MAX_LEARNING_RATE:g}")
        return rate
    if kind == "optimizer":
        if raw not in CHOICES["optimizer"]:
            raise ValueError("sgd, momentum or adam")
        return raw
    if kind == "layers":
        return parse_layers(raw)
    if kind == "features":
        try:
            return tuple(check_features([part.strip() for part in raw.split(",") if part.strip()]))
        except EngineError as problem:
            raise ValueError(str(problem)) from None
    if kind == "batch_size":
        size = int(raw)
        if not 1 <= size <= limits.MAX_BATCH_SIZE:
            raise ValueError(f"from 1 to {limits.MAX_BATCH_SIZE}")
        return size
    if kind == "surrogate":
        if raw.lower() not in ON_OFF:
            raise ValueError("on or off")
        return ON_OFF[raw.lower()]
    if raw.lower() == "none":
        return (None, 0.0)
    name, _, rate_text = raw.partition(":")
    if name.lower() not in ("l1", "l2"):
        raise ValueError("'none', or l1 or l2 with a rate, as in l2:0.01")
    rate = float(rate_text or 0.001)
    if not 0.0 <= rate <= limits.MAX_REG_RATE:
        raise ValueError(f"a rate from 0 to {limits.MAX_REG_RATE:g}")
    return (name.lower(), rate)


def parse_layers(text: str) -> tuple[int, ...]:
    """'8, 8' -> (8, 8) within the limits ('' for no hidden layer); ValueError naming the problem."""
    sizes = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    problem = limits.check_hidden(sizes)
    if problem is not None:
        raise ValueError(problem)
    return sizes


def check(config: Configuration) -> None:
    """Raise EngineError unless the engine can train ``config`` (B's shape is checked before it is sent)."""
    Architecture.check(config.architecture)
