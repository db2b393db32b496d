"""The Neo4j backend: configuration, the one seam to the driver, schema and loader."""
