"""Notebook 4's coded questions."""

QUESTIONS = ()
