"""Notebook 1's coded questions."""

QUESTIONS = ()
