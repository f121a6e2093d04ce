"""The two instruments on one set of features: rate reduction (P1) and fuzziness (P3).

:func:`rates` is P1's vector-case MCR² (deeplaws.redunet.rates) on per-sample normalized
features Z (each row scaled to unit norm, as P1 preprocesses every input):

    R   = ½ logdet(I + d/(n ε²) Zᵀ Z),
    R_c = Σ_j (n_j/n) ½ logdet(I + d/(n_j ε²) Z_jᵀ Z_j),     ΔR = R − R_c,

with d the feature dimension, true labels and class weights n_j / n. :func:`fuzziness` is
P3's D = Tr(SS_w SS_b⁺) on the features as they are (D is scale-invariant per tap, not per
sample, so it is measured without the normalization).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch

from deeplaws.redunet.evaluate import flat_unit
from deeplaws.redunet.rates import rate_reduction
from deeplaws.separation.fuzziness import fuzziness


@dataclass(frozen=True)
class Rates:
    """R, R_c and ΔR of one set of features (nats)."""

    dR: float
    R: float
    Rc: float
    n: int
    d: int
    eps2: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def labels_index(y: np.ndarray) -> tuple[np.ndarray, int]:
    """Labels mapped to 0..k-1 (sorted order) and the number of classes k."""
    classes, inverse = np.unique(np.asarray(y), return_inverse=True)
    return inverse.astype(np.int64), int(classes.size)


def rates(H: np.ndarray, y: np.ndarray, eps2: float) -> Rates:
    """R, R_c, ΔR (P1's definitions) of features ``H`` (n x ...) after per-sample
    normalization, with true labels ``y`` and precision ``eps2`` = ε²."""
    if eps2 <= 0:
        raise ValueError(f"eps2 must be positive, not {eps2}")
    Z = flat_unit(H)  # float64 (n, d), unit rows
    yi, k = labels_index(y)
    V = torch.from_numpy(Z)[:, :, None]  # (n, C=d, F=1): the vector case of P1's rates
    weights = torch.ones(1, dtype=torch.float64)
    dR, R, Rc = rate_reduction(V, torch.from_numpy(yi), k, float(eps2), weights)
    return Rates(dR=dR, R=R, Rc=Rc, n=int(Z.shape[0]), d=int(Z.shape[1]), eps2=float(eps2))


def measure(H: np.ndarray, y: np.ndarray, eps2: float | None, weighting: str = "nk") -> dict:
    """One row of both instruments on features ``H``: D with its diagnostics (P3) and,
    unless ``eps2`` is None, R, R_c and ΔR (P1). Non-finite features give NaN values and
    ``status`` 'non_finite_features'."""
    H2 = np.asarray(H).reshape(len(H), -1)
    nan = float("nan")
    if not np.all(np.isfinite(H2)):
        row = {"status": "non_finite_features", "p": int(H2.shape[1]), "D": nan, "log10_D": nan}
        if eps2 is not None:
            row.update({"R": nan, "Rc": nan, "dR": nan, "eps2": float(eps2)})
        return row
    fz = fuzziness(H2, y, weighting=weighting)
    row = {
        "status": "ill_conditioned" if fz.ill_conditioned else "ok",
        "p": fz.p,
        "D": fz.D,
        "log10_D": float(np.log10(fz.D)) if fz.D > 0 else nan,
        "n_kept": fz.n_kept,
        "lambda_ratio": fz.lambda_ratio,
        "trace_within": fz.trace_within,
    }
    if eps2 is not None:
        r = rates(H2, y, eps2)
        row.update({"R": r.R, "Rc": r.Rc, "dR": r.dR, "eps2": r.eps2})
    return row
