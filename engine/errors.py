"""The engine's error types: every bad input raises one of these with a readable message."""


class EngineError(ValueError):
    """A configuration the engine cannot use (unknown name, bad size, bad rate)."""


class DataError(EngineError):
    """A data file or array the engine cannot use; the message names file and line."""
