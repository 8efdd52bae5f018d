"""Semantic atoms: number and date formats (placeholder, filled below)."""


def candidates(row, out, unlabeled):
    return []
