"""Notebook 6's coded questions."""

QUESTIONS = ()
