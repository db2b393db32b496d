"""The red-flag rules; each module registers its rules with ``kpgraph.rules.rule``."""
