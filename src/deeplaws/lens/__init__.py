"""The cross-paper lens: one paper's instrument applied to another paper's networks.

* ReduNet (P1) features measured with the separation fuzziness D = Tr(SS_w SS_b^+) of the
  equi-separation law (P3) after every stored layer, with P3's log-linear fit over layers
  (:mod:`deeplaws.lens.redunet`).
* Trained GFNNs (P3) measured with the coding rates R, R_c and ΔR of rate reduction (P1) at
  every tap, at initialisation, after training and at the saved snapshots, with log D beside
  (:mod:`deeplaws.lens.gfnn`).

Both reuse the two packages' own definitions (:func:`deeplaws.separation.fuzziness.fuzziness`,
:func:`deeplaws.redunet.rates.rate_reduction`, :func:`deeplaws.redunet.evaluate.flat_unit`);
nothing is retrained or reconstructed.
"""
