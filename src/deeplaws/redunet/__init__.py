"""ReduNet (Chan et al., "Deep Networks from the Principle of Rate Reduction").

Numerical core of part P1: the MCR² rates (:mod:`rates`), the ReduNet layer operators and
map (:mod:`layers`), the spectral representation of shift-invariant features
(:mod:`spectral`), lifting and the polar transform (:mod:`lift`), forward construction
with single-pass evaluation (:mod:`network`), the classifiers (:mod:`evaluate`), the
experiment inputs (:mod:`experiments`) and the plots (:mod:`plots`).

Every feature set is a tensor of shape (n, C, F): n samples, C channels, F stored
frequencies (F = 1 and real dtype for vector data). See docs/redunet.md.
"""
