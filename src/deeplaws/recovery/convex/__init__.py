"""The convex programs 4.1–4.7 (docs/recovery.md): sparse blocks, their cvxpy and conic solves, the
programs over sampled patterns and the certified working-set strategy.

* ``blocks``: the sparse building blocks, ``Block``/``Solution`` and the cvxpy solve;
* ``conic``: the same cone program assembled directly for Clarabel (default);
* ``structured``: the same cone program for CVXOPT with a block-structured KKT solver
  (``solver: cvxopt``);
* ``programs``: ``PatternProgram`` (one program over the patterns, solvable on any
  subset) and the full-program functions ``skip_program``, ``plain_program``,
  ``normal_program``;
* ``working_set``: ``solve`` by strategy (``working_set`` or ``full``), with the dual
  certificate of every solution.
"""

from deeplaws.recovery.convex.blocks import (
    ACCEPTED,
    CLARABEL_METHODS,
    CLARABEL_STATUS,
    FORMULATIONS,
    MODES,
    SOLVERS,
    Block,
    Solution,
    block_diagonal,
    masked_blocks,
    pattern_bases,
    sign_cones,
    solve_blocks,
    solver_name,
    solver_options,
)
from deeplaws.recovery.convex.conic import solve_blocks_conic
from deeplaws.recovery.convex.programs import (
    FAMILIES,
    NormalBases,
    PatternProgram,
    normal_bases,
    normal_program,
    normal_targets,
    plain_program,
    skip_program,
)
from deeplaws.recovery.convex.working_set import STRATEGIES, WorkingSetOptions, solve

__all__ = [
    "ACCEPTED",
    "CLARABEL_METHODS",
    "CLARABEL_STATUS",
    "FAMILIES",
    "FORMULATIONS",
    "MODES",
    "SOLVERS",
    "STRATEGIES",
    "Block",
    "NormalBases",
    "PatternProgram",
    "Solution",
    "WorkingSetOptions",
    "block_diagonal",
    "masked_blocks",
    "normal_bases",
    "normal_program",
    "normal_targets",
    "pattern_bases",
    "plain_program",
    "sign_cones",
    "skip_program",
    "solve",
    "solve_blocks",
    "solve_blocks_conic",
    "solver_name",
    "solver_options",
]
