"""deeplaws: the numerical core of the deeplaws pipeline.

Subpackages:
    common     -- I/O with provenance, seeding, logging, config validation, plotting style
    data       -- dataset generators, readers and the training subsets of the three papers
    redunet    -- P1, "Deep Networks from the Principle of Rate Reduction"
    recovery   -- P2, "Overparameterized ReLU networks learn the simplest model"
    separation -- P3, "A law of data separation in deep learning"

The package never imports snakemake: workflow scripts are thin adapters around it.
"""

__version__ = "0.1.0"
