"""TextPreprocessor's replacement map, shared by its Python path and the JVM companion's: the key normalisations,
keys normalised with collisions checked, and one regex matching any key (longest first)."""

from __future__ import annotations

from typing import Any, Callable, Dict

__all__ = ["NORM_FUNCS", "normalised_map", "trie_regex"]

NORM_FUNCS: Dict[str, Callable[[str], str]] = {"identity": lambda s: s, "lowerCase": str.lower, "upperCase": str.upper}


def _escape(char: str) -> str:
    """One character as a Java regex literal (``\\x{..}`` for anything but ASCII letters and digits)."""
    return char if char.isascii() and char.isalnum() else f"\\x{{{ord(char):X}}}"


def trie_regex(keys) -> str:
    """A Java regex matching any of ``keys`` (non-empty), preferring the longest at a position."""
    root: Dict[str, Any] = {}
    for key in keys:
        node = root
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: Dict[str, Any]) -> str:
        branches = [_escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        # Branches before the (optional) end of a key: backtracking then yields the longest key.
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    longest = max((len(k) for k in keys), default=0)
    if longest > 900:  # emit recurses once per character
        raise ValueError(f"map: keys longer than 900 characters are not supported (got {longest})")
    return emit(root)


def normalised_map(mapping: Dict[str, str], norm: Callable[[str], str]) -> Dict[str, str]:
    """``mapping`` with keys put through ``norm``; two keys that collide must agree on the value."""
    out: Dict[str, str] = {}
    for key, value in mapping.items():
        nk = norm(key)
        if nk in out and out[nk] != value:
            raise ValueError(
                f"map: keys that are equal under normFunc ({nk!r}) map to different values ({out[nk]!r} and {value!r})"
            )
        out[nk] = value
    return out
