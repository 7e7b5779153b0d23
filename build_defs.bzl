"""Shared compiler options for every target of the project."""

# -Werror keeps warnings from piling up; no exemptions so far.
COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-sign-compare",  # size_t/int comparisons against kernel counts are deliberate and bounds-checked.
]
