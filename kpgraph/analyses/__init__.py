"""Analyses: plain functions over the graph model or its company network."""
