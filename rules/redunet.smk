# P1 ReduNet, "Deep Networks from the Principle of Rate Reduction" (Chan et al.).
# Compute rules, then figure rules. Not built yet: see the P1 issue.
