"""Version of the tt-optim distribution (read by hatch at build time)."""

__version__ = "0.1.3"
