"""The networks of the equi-separation experiments.

Every model maps an image batch (N, C, H, W) to 10 logits and can also return its *taps*:
the features at which separation fuzziness is measured, each flattened to (N, p) in
(C, H, W) order. PyTorch's default initialisation is used everywhere.

Feedforward family (input flattened): GFNN, GFNNNoBN, GLNN, GFNNOriginal and the shape
models FNNSW, FNNWS, FNNMIX. Convolutional: VGG13 and AlexNet, modified for 32x32 inputs.
Residual (8 channels at 32x32, no pooling): GResNet with basic or bottleneck blocks, and
ResNetMixV2 (2 bottleneck + 2 basic blocks).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from deeplaws.separation.constants import CNN_MODELS, MODELS, RESNET_MODELS, TAP_OPTIONS

N_CLASSES = 10

SHAPE_WIDTHS: dict[str, tuple[int, ...]] = {
    "FNNSW": (100, 100, 100, 100, 1000, 1000, 1000),  # narrow -> wide
    "FNNWS": (1000, 1000, 1000, 1000, 100, 100, 100),  # wide -> narrow
    "FNNMIX": (100, 500, 500, 2500, 2500, 500, 500),
}
__all__ = ["CNN_MODELS", "MODELS", "RESNET_MODELS", "TAP_OPTIONS", "TapNet", "build_model"]


def _flat(x: Tensor) -> Tensor:
    return x.reshape(x.shape[0], -1)


class TapNet(nn.Module):
    """A classifier whose forward pass can also return the measured features."""

    #: the tap options this model supports ("default" for non-residual nets)
    tap_options: tuple[str, ...] = ("default",)

    def forward_taps(self, x: Tensor, taps: str = "default") -> tuple[Tensor, list[Tensor]]:
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_taps(x, self.tap_options[0])[0]

    def trainable_units(self) -> list[nn.Module]:
        """The units of the frozen two-phase protocol, input side first (FNNs only)."""
        raise TypeError(f"{type(self).__name__} has no frozen-protocol units")

    def segment_split(self, taps: str) -> int | None:
        """Index (in the profile with tap 0 dropped) that ends the first fit segment."""
        return None


# ---------------------------------------------------------------- feedforward family


class FNN(TapNet):
    """Blocks Linear [-> BatchNorm1d] [-> ReLU], then a Linear classifier.

    ``green_only``: a 3-channel input keeps only channel 1 before flattening (GFNN on
    ``cc``, spec P11). Taps: the flattened input, then the output of every block.
    """

    def __init__(
        self,
        d_in: int,
        widths: Sequence[int],
        batch_norm: bool = True,
        relu: bool = True,
        green_only: bool = True,
    ) -> None:
        super().__init__()
        self.green_only = green_only
        blocks = []
        prev = d_in
        for w in widths:
            layers: list[nn.Module] = [nn.Linear(prev, w)]
            if batch_norm:
                layers.append(nn.BatchNorm1d(w))
            if relu:
                layers.append(nn.ReLU())
            blocks.append(nn.Sequential(*layers))
            prev = w
        self.blocks = nn.ModuleList(blocks)
        self.classifier = nn.Linear(prev, N_CLASSES)

    def _input(self, x: Tensor) -> Tensor:
        if self.green_only and x.dim() == 4 and x.shape[1] == 3:
            x = x[:, 1]
        return _flat(x)

    def forward(self, x: Tensor) -> Tensor:
        h = self._input(x)
        for block in self.blocks:
            h = block(h)
        return self.classifier(h)

    def forward_taps(self, x: Tensor, taps: str = "default") -> tuple[Tensor, list[Tensor]]:
        h = self._input(x)
        out = [h]
        for block in self.blocks:
            h = block(h)
            out.append(h)
        return self.classifier(h), out

    def trainable_units(self) -> list[nn.Module]:
        return [*self.blocks, self.classifier]


# ---------------------------------------------------------------- convolutional nets


def _conv_bn_relu(c_in: int, c_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, 5, padding=2), nn.BatchNorm2d(c_out), nn.ReLU())


def _fc_bn_relu(d_in: int, d_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(d_in, d_out), nn.BatchNorm1d(d_out), nn.ReLU())


class ConvNet(TapNet):
    """A tiled input, conv stages (a tap after each ReLU, before pooling), FC stages."""

    def __init__(
        self,
        tile: int,
        convs: Sequence[nn.Module],
        pools: Sequence[nn.Module | None],
        fcs: Sequence[nn.Module],
        d_last: int,
    ) -> None:
        super().__init__()
        self.tile = tile
        self.convs = nn.ModuleList(convs)
        self.pools = nn.ModuleList([p if p is not None else nn.Identity() for p in pools])
        self.fcs = nn.ModuleList(fcs)
        self.classifier = nn.Linear(d_last, N_CLASSES)

    def forward_taps(self, x: Tensor, taps: str = "default") -> tuple[Tensor, list[Tensor]]:
        h = x.repeat(1, self.tile, 1, 1)
        out = [_flat(h)]
        for conv, pool in zip(self.convs, self.pools, strict=True):
            h = conv(h)
            out.append(_flat(h))
            h = pool(h)
        h = _flat(h)
        for fc in self.fcs:
            h = fc(h)
            out.append(h)
        return self.classifier(h), out

    def forward(self, x: Tensor) -> Tensor:
        h = x.repeat(1, self.tile, 1, 1)
        for conv, pool in zip(self.convs, self.pools, strict=True):
            h = pool(conv(h))
        h = _flat(h)
        for fc in self.fcs:
            h = fc(h)
        return self.classifier(h)


def vgg13_mod(in_channels: int) -> ConvNet:
    """VGG13 for 32x32: 16x tiled input, ten 5x5 convs, 2 FC 4096 layers (13 taps)."""
    chans = (64, 64, 128, 128, 256, 256, 512, 512, 512, 512)
    c_in = 16 * in_channels
    convs, pools = [], []
    for i, c in enumerate(chans):
        convs.append(_conv_bn_relu(c_in, c))
        pools.append(nn.MaxPool2d(2, 2) if i % 2 == 1 else None)
        c_in = c
    fcs = [_fc_bn_relu(512, 4096), _fc_bn_relu(4096, 4096)]
    return ConvNet(16, convs, pools, fcs, 4096)


def alexnet_mod(in_channels: int) -> ConvNet:
    """AlexNet for 32x32: 32x tiled input, five 5x5 convs, 2 FC 4096 layers (8 taps)."""
    c0 = 32 * in_channels
    convs = [
        _conv_bn_relu(c0, 64),
        _conv_bn_relu(64, 192),
        _conv_bn_relu(192, 384),
        _conv_bn_relu(384, 256),
        _conv_bn_relu(256, 256),
    ]

    def pool() -> nn.Module:
        return nn.MaxPool2d(3, 2, padding=1)

    pools = [pool(), pool(), None, None, pool()]
    fcs = [_fc_bn_relu(4096, 4096), _fc_bn_relu(4096, 4096)]
    return ConvNet(32, convs, pools, fcs, 4096)


# ---------------------------------------------------------------- residual nets


class BasicBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN + identity, ReLU (bias-free convs)."""

    n_layers = 2

    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward_layers(self, x: Tensor) -> list[Tensor]:
        h1 = torch.relu(self.bn1(self.conv1(x)))
        return [h1, torch.relu(self.bn2(self.conv2(h1)) + x)]


class BottleneckMod(nn.Module):
    """Three 5x5 convs (expansion 1): conv-BN-ReLU, conv-BN-ReLU, conv-BN, + identity, ReLU."""

    n_layers = 3

    def __init__(self, c: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 5, padding=2, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 5, padding=2, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.conv3 = nn.Conv2d(c, c, 5, padding=2, bias=False)
        self.bn3 = nn.BatchNorm2d(c)

    def forward_layers(self, x: Tensor) -> list[Tensor]:
        h1 = torch.relu(self.bn1(self.conv1(x)))
        h2 = torch.relu(self.bn2(self.conv2(h1)))
        return [h1, h2, torch.relu(self.bn3(self.conv3(h2)) + x)]


class ResNet(TapNet):
    """Tiled input (no stem conv), residual blocks at constant size, Linear head.

    Taps ``block``: raw input, tiled input, each block output (B+2).
    Taps ``layer``: raw input, tiled input, every ReLU inside each block (2 or 3 per block).
    """

    tap_options = ("block", "layer")

    def __init__(
        self, kinds: Sequence[str], in_channels: int = 1, channels: int = 8, side: int = 32
    ) -> None:
        super().__init__()
        self.tile = channels // in_channels
        self.kinds = tuple(kinds)
        make = {"basic": BasicBlock, "bottleneck": BottleneckMod}
        self.blocks = nn.ModuleList([make[k](channels) for k in kinds])
        self.classifier = nn.Linear(channels * side * side, N_CLASSES)

    def forward_taps(self, x: Tensor, taps: str = "block") -> tuple[Tensor, list[Tensor]]:
        if taps not in self.tap_options:
            raise ValueError(f"residual nets support taps {self.tap_options}, not {taps!r}")
        h = x.repeat(1, self.tile, 1, 1)
        out = [_flat(x), _flat(h)]
        for block in self.blocks:
            layers = block.forward_layers(h)
            h = layers[-1]
            out.extend(_flat(t) for t in (layers if taps == "layer" else layers[-1:]))
        return self.classifier(_flat(h)), out

    def forward(self, x: Tensor) -> Tensor:
        h = x.repeat(1, self.tile, 1, 1)
        for block in self.blocks:
            h = block.forward_layers(h)[-1]
        return self.classifier(_flat(h))

    def segment_split(self, taps: str) -> int | None:
        """For a mixed net with the ``layer`` taps: the position of the last bottleneck
        output in the profile without tap 0 (the tiled input is position 0)."""
        if taps != "layer" or len(set(self.kinds)) < 2:
            return None
        pos = 0
        last = None
        for kind, block in zip(self.kinds, self.blocks, strict=True):
            pos += block.n_layers
            if kind == "bottleneck":
                last = pos
        return last


# ---------------------------------------------------------------- factory


def build_model(name: str, in_shape: Sequence[int], layer_num: int, width: int) -> TapNet:
    """The model ``name`` for inputs of shape (C, H, W).

    ``layer_num`` is the depth knob L of the FNN family (L+2 Linear layers, L+2 taps); the
    shape, convolutional and residual models ignore it, and ``width`` is used only by
    GFNN, GFNNNoBN, GLNN and GFNNOriginal (spec P13, P17).
    """
    c, h, w = (int(v) for v in in_shape)
    if name in ("GFNN", "GFNNNoBN", "GLNN"):
        d_in = h * w if c == 3 else c * h * w
        widths = [width] * (layer_num + 1)
        return FNN(d_in, widths, batch_norm=name != "GFNNNoBN", relu=name != "GLNN")
    if name == "GFNNOriginal":
        return FNN(c * h * w, [width] * (layer_num + 1), green_only=False)
    if name in SHAPE_WIDTHS:
        d_in = h * w if c == 3 else c * h * w
        return FNN(d_in, SHAPE_WIDTHS[name])
    if name == "VGG13":
        return vgg13_mod(c)
    if name == "AlexNet":
        return alexnet_mod(c)
    if name == "GResNetBasic":
        return ResNet(["basic"] * 4, in_channels=c, side=h)
    if name == "GResNetBottleneck":
        return ResNet(["bottleneck"] * 4, in_channels=c, side=h)
    if name == "ResNetMixV2":
        return ResNet(["bottleneck", "bottleneck", "basic", "basic"], in_channels=c, side=h)
    raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
