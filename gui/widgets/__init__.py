"""One view per module: canvas, network view, loss plot, controls."""
