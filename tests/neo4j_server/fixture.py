"""Placeholder until the Neo4j fixture lands."""
