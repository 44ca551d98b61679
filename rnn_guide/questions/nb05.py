"""Notebook 5's coded questions."""

QUESTIONS = ()
