# P3 Equi-separation law, "A law of data separation in deep learning" (He & Su, PNAS 2023).
# Compute rules, then figure rules. Not built yet: see the P3 issue.
