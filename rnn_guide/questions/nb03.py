"""Notebook 3's coded questions."""

QUESTIONS = ()
