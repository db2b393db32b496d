"""Renderers: interactive views (and, later, the investigation report)."""
