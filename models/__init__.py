"""Classifiers for treatment type, care setting and country, with their shipped weights."""
