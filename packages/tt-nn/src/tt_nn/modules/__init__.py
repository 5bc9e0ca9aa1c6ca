"""Modules: one file per family of layers (linear, activation, loss, conv, ...)."""
