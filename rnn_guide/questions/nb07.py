"""Notebook 7's coded questions."""

QUESTIONS = ()
