"""Names of the equi-separation models, optimizers and protocols (no torch import).

The workflow's rule files import these to build wildcard constraints and targets, so this
module must stay cheap to import.
"""

from __future__ import annotations

FNN_MODELS = ("GFNN", "GFNNNoBN", "GLNN", "GFNNOriginal")
SHAPE_MODELS = ("FNNSW", "FNNWS", "FNNMIX")
CNN_MODELS = ("VGG13", "AlexNet")
RESNET_MODELS = ("GResNetBasic", "GResNetBottleneck", "ResNetMixV2")
MODELS = FNN_MODELS + SHAPE_MODELS + CNN_MODELS + RESNET_MODELS

OPTIMIZERS = ("sgd", "momentum", "adam")
PROTOCOLS = ("standard", "frozen", "frozen_legacy")
BN_MODES = ("train", "eval")
TAP_OPTIONS = ("default", "block", "layer")
DATA_KEYS = ("cm", "cfm", "cfm_imb", "cc", "fashion_mnist", "cifar10")
