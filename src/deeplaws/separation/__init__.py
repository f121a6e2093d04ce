"""P3, "A law of data separation in deep learning" (He & Su, PNAS 2023).

Modules:
    models     -- the feedforward, convolutional and residual nets of the paper, with taps
    training   -- the training loop (optimizers, schedule, frozen protocol)
    fuzziness  -- separation fuzziness D (exact low-rank and dense reference), PCA variant
    features   -- tap features of a trained net (train-mode BN in chunks, or eval mode)
    fit        -- the log-linear fit (slope, rho, Pearson r, R^2, ratios, two segments)
    selection  -- the learning-rate selection rules of the lr sweeps
    plotting   -- the panel style of the paper's figures and multi-panel figures
"""
