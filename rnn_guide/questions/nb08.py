"""Notebook 8's coded questions."""

QUESTIONS = ()
