"""Version of the tt-autograd distribution (read by hatch at build time)."""

__version__ = "0.1.8"
