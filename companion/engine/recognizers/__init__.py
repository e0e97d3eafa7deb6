"""Presidio recognizers for Korean (and English) drafts, one module per family."""
