"""One panel per convex program for the solver comparison tests: k = 2 and noise exercise
several planted blocks and the growth of the working set."""

from deeplaws.recovery.experiments import Panel

PROGRAMS = {
    "skip_relaxed": Panel(),
    "skip_exact": Panel(),
    "skip_train": Panel(),
    "normal_relaxed": Panel(k=2, planted="pm"),
    "normal_exact": Panel(k=1),
    "normal_train": Panel(k=2),
    "plain_exact": Panel(k=1),
}
