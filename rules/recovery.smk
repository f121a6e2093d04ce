# P2 Neural recovery, "Overparameterized ReLU networks learn the simplest model"
# (Wang, Hua, Candès, Pilanci). Compute rules, then figure rules. Not built yet: see the P2 issue.
