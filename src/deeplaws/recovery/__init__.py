"""P2: "Overparameterized ReLU neural networks learn the simplest model" (Wang, Hua, Candès,
Pilanci). Planted data, hyperplane-arrangement patterns, the convex programs (vectorized
cvxpy), recovery metrics and certificates, nonconvex training and the mixture experiment.

Modules:
    data          -- X distributions, planted models, noise and test sets
    arrangements  -- sampled activation patterns, the exact all-ones test, Wendel's formula
    convex        -- programs 4.1-4.7 as one vectorized group-lasso builder
    metrics       -- recovery flags, distances, certificates NNIC-k / NIC-L / NIC-1
    nonconvex     -- skip and normalized two-layer nets trained with AdamW in torch
    mixture       -- Gaussian-mixture separability probability
    experiments   -- programs, panels, figures, one record per trial, resource estimates
    tables        -- records -> tidy per-figure tables
    plotting      -- heatmaps and curves drawn from those tables
"""
