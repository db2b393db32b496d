"""The stores a graph model can come from: the embedded default and Neo4j."""
