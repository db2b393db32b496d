"""Synthetic KP trade data with planted schemes and ground truth (see generator.py)."""

from .generator import Synth, generate, write_dataset

__all__ = ["Synth", "generate", "write_dataset", "synth"]


def synth(out, shipments: int = 20_000, seed: int = 7) -> dict:
    """Generate a dataset of about ``shipments`` shipments into ``out``; return the ground truth."""
    return write_dataset(generate(shipments=shipments, seed=seed), out)
