"""Evidence bundles: a subgraph in several formats, with a manifest that proves integrity."""
