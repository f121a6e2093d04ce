"""The caption of every P2 figure, by figure ID (the report and the figure files show it)."""

CAPTIONS = {
    "sk_test": (
        "Skip-connection network, cone-constrained training program 4.3 (β = 1e-6): test "
        "distance ‖f̂(X_test) − y_test‖ on a fresh noise-free test set, for planted w* gauss "
        "and svmin (σ = 0). Early arXiv Fig. 2. Expected ≈ 0 from n ≈ 1.5d (gauss) / 2d "
        "(svmin), 0.4–1 at n = d."
    ),
    "sk_rec_relax": (
        "Skip-connection network, relaxed minimal-norm program 4.1: recovery rate "
        "for planted w* gauss and svmin. Early arXiv Fig. 4a. The transition follows 1 − "
        "Wendel's P(n, d), i.e. n ≈ 2d (dashed line), because the all-ones pattern duplicates "
        "the skip unit."
    ),
    "sk_rec_exact": (
        "Skip-connection network, cone-constrained program 4.3 (β = 1e-6): recovery rate "
        "(every entry of ŵ0, U, V within tol of the planted point). Early arXiv Fig. 4b. The edge moves below the relaxed one (≈ "
        "1.25d gauss, 2d svmin)."
    ),
    "nm_rec_k": (
        "Normalized network, relaxed program 4.5: recovery rate for k = 2 and k = 3 planted "
        "neurons (eye). Early arXiv Figs. 5a/5b. Needs n well above d."
    ),
    "sk_rec_x": (
        "Skip network, relaxed program 4.1: recovery rate for the four X distributions "
        "(gauss, cubic, white, white_cubic = intended cube-then-whiten), planted w* gauss. "
        "Early arXiv Fig. 6."
    ),
    "sk_abs_sigma": (
        "Skip network, relaxed program 4.1: absolute distance ‖ŵ0 − w*‖, one panel per noise "
        "level σ (w* svmin). Early arXiv Fig. 7. About 2σ above the threshold."
    ),
    "sk_gd_sigma": (
        "Trained skip network (AdamW, optimizer re-created each epoch as the official code, "
        "400 epochs, width n + 1): test distance per σ (w* svmin). Early arXiv Fig. 8. "
        "Smooth, no sharp edge."
    ),
    "nm_abs_sigma": (
        "Normalized network, relaxed program 4.5: distance of the planted blocks, k = 2 (pm), "
        "one panel per σ. Early arXiv Fig. 9. n < d cells are not solved (blank)."
    ),
    "nm_nnic": (
        "Normalized network, k = 2 (gauss): probability that the NNIC-k certificate holds. "
        "Left: the corrected rule (rank-truncated bases, certificate verified); right: the "
        "official rule. Early arXiv Fig. 10. Sufficient, not necessary: low unless n ≫ d."
    ),
    "sk_rec_x_app": (
        "Skip network, relaxed program 4.1: recovery rate for the four X distributions, as "
        "sk_rec_x, with planted w* svmin (appendix). Early arXiv Fig. 18."
    ),
    "sk_test_sigma": (
        "Skip network: test distance per σ (w* svmin), relaxed program 4.1 (top, ReLU "
        "read-out of the relaxed blocks) and training program 4.3 (bottom). Early arXiv Figs. "
        "19 and 21."
    ),
    "sk_abs_sigma_train": (
        "Skip network, training program 4.3: ‖ŵ0 − w*‖ per σ (w* svmin). Early arXiv Fig. 20."
    ),
    "nm_rec_1": (
        "Normalized network, relaxed program 4.5: recovery rate for one planted neuron "
        "(gauss). Early arXiv Fig. 22*. 0 at n = d (dashed), ≥ 0.8 at n = 2d."
    ),
    "nm_abs_1_sigma": (
        "Normalized network, relaxed program 4.5, k = 1 (gauss): distance per σ. Early arXiv "
        "Fig. 23*. 0.5 on n = d at σ = 0 (tie with a superset pattern), 0 above."
    ),
    "nm_abs_train_sigma": (
        "Normalized network, training program 4.6 (faithful cone constraints), k = 1: "
        "distance per σ. Early arXiv Fig. 24*."
    ),
    "nm_gd_sigma": (
        "Trained normalized network (AdamW, official per-epoch optimizer reset), k = 1 "
        "(gauss): test distance per σ. Early arXiv Fig. 25*."
    ),
    "nm_rec_k_app": (
        "Normalized network, relaxed program 4.5: recovery rate for k = 2 eye, k = 2 pm and k "
        "= 3 eye. Early arXiv Fig. 26*."
    ),
    "nm_abs_k_sigma": (
        "Normalized network, relaxed program 4.5: distance per σ (columns) for k = 2 gauss, k "
        "= 2 eye and k = 3 eye (rows). Early arXiv Figs. 27*–29*."
    ),
    "nm_gd_k_sigma": (
        "Trained normalized network: test distance per σ (columns) for k = 2 pm and k = 2 "
        "gauss (rows). Early arXiv Figs. 30*–32*."
    ),
    "mix_prob": (
        "Gaussian mixture (official ReLU/prob.py, option 3): probability that the pattern of "
        "u = μ1/‖μ1‖ − μ2/‖μ2‖ splits the two clusters exactly, against the inverse noise "
        "level σ, one line per d. As in the official script the means are drawn anew for "
        "every (d, σ), so a point with nearly aligned means dips; the curves are not "
        "smoothed."
    ),
    "pl_rec": (
        "Plain ReLU (extension, not in the official code): exact program 4.7 with one planted "
        "neuron: recovery rate (left) and probability that NIC-1 holds (right)."
    ),
}

# What every heatmap shows (appended to the caption of each heatmap figure).
HEATMAP_NOTE = (
    "Heatmaps: mean over trials, filled contours at levels 0, 0.1, …, 1 (jet), black line "
    "at 0.9 for probabilities, dashed reference n = 2d (skip, plain) or n = d (normalized)."
)


def caption(figure: str) -> str:
    """The caption of one figure (with the heatmap note for heatmaps)."""
    text = CAPTIONS[figure]
    return text if figure == "mix_prob" else f"{text} {HEATMAP_NOTE}"
