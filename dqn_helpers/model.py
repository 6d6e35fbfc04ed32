"""Q-networks: the slides' CNN with BatchNorm, and the course's recipe network.

Both map a batch of screens to one Q-value per action: ``Q(s, ·)``, shape (batch, n_actions).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from dqn_helpers.i18n import _


def conv2d_size_out(size: int, kernel_size: int = 5, stride: int = 2) -> int:
    """Output length of an unpadded convolution along one axis of length ``size``."""
    return (size - (kernel_size - 1) - 1) // stride + 1


class SlidesDQN(nn.Module):
    """The slides' network: 3 x (conv 5x5 stride 2 -> BatchNorm -> ReLU), then a linear head.

    Unlike the slides, ``forward`` does not move its input to a global ``device``: put the
    network and its input on the same device yourself (``net.to(device)``, ``x.to(device)``).
    """

    def __init__(self, h: int, w: int, outputs: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=5, stride=2)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5, stride=2)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = nn.Conv2d(32, 32, kernel_size=5, stride=2)
        self.bn3 = nn.BatchNorm2d(32)
        # The linear layer's input size depends on the image size after three convolutions.
        convw = conv2d_size_out(conv2d_size_out(conv2d_size_out(w)))
        convh = conv2d_size_out(conv2d_size_out(conv2d_size_out(h)))
        if convw < 1 or convh < 1:
            raise ValueError(_("a {h}x{w} screen is too small for three 5x5 stride-2 convolutions").format(h=h, w=w))
        linear_input_size = convw * convh * 32
        self.head = nn.Linear(linear_input_size, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        return self.head(x.view(x.size(0), -1))


class PixelDQN(nn.Module):
    """The recipe's network: stacked uint8 grayscale frames in, Q-values out.

    No BatchNorm (acting uses a batch of one, where BatchNorm's statistics mislead; lesson 08's
    ablation puts it back with ``batchnorm=True``); the input is scaled by ``in_scale`` (0..255 to
    0..1) inside ``forward``, so replay batches travel to the GPU as compact uint8. An input of
    shape (B, stack, C, H, W), such as the slides' 3-colour screen difference as a stack of one,
    is read as stack x C channels.
    """

    def __init__(
        self, frames: int, h: int, w: int, n_actions: int, hidden: int = 256,
        channels: tuple[int, int, int] = (16, 32, 32), strides: tuple[int, int, int] = (2, 2, 1),
        batchnorm: bool = False, in_scale: float = 1 / 255, kernels: tuple[int, int, int] = (5, 3, 3),
    ) -> None:
        super().__init__()
        self.in_scale = in_scale
        c1, c2, c3 = channels
        out_sizes = []
        for size in (h, w):
            for kernel, stride in zip(kernels, strides, strict=True):
                size = conv2d_size_out(size, kernel, stride)
            out_sizes.append(size)
            if size < 1:
                raise ValueError(_("a {h}x{w} frame is too small for the recipe's convolutions (kernels {kernels}, "
                                   "strides {strides}): use a larger frame_size or smaller kernels or strides").format(
                    h=h, w=w, kernels=tuple(kernels), strides=tuple(strides)))
        layers: list[nn.Module] = []
        for c_in, c_out, kernel, stride in zip((frames, c1, c2), (c1, c2, c3), kernels, strides, strict=True):
            layers.append(nn.Conv2d(c_in, c_out, kernel_size=kernel, stride=stride))
            layers += [nn.BatchNorm2d(c_out)] if batchnorm else []  # as the slides' network has it
            layers.append(nn.ReLU())
        self.features = nn.Sequential(*layers, nn.Flatten())
        flat = c3 * out_sizes[0] * out_sizes[1]
        # hidden=0: a linear head straight from the features, as the slides' network has it
        self.head = (nn.Sequential(nn.Linear(flat, hidden), nn.ReLU(), nn.Linear(hidden, n_actions)) if hidden
                     else nn.Sequential(nn.Linear(flat, n_actions)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # a fresh float copy (never the caller's tensor), put in the weights' memory order, then
        # scaled in place: converting first and reordering second takes two plain copies, which
        # are faster than one copy that converts and reorders at once (a batch of 32: 151 against
        # 261 us, benchmarks/update_cost.py); a reorder inside the convolution costs more still
        channels_last = self.features[0].weight.is_contiguous(memory_format=torch.channels_last)
        order = torch.channels_last if channels_last else torch.contiguous_format
        x = x.flatten(1, -3)  # (B, stack, C, H, W) -> (B, stack x C, H, W); a 4-d input is unchanged
        x = x.to(torch.float32, copy=True).contiguous(memory_format=order)
        return self.head(self.features(x.mul_(self.in_scale)))


class StateDQN(nn.Module):
    """Q-values from CartPole's state vector (position, velocity, angle, angular velocity), not pixels.

    lesson 08's comparison: the same recipe with this small MLP in place of the CNN. An input of
    shape (B, 1, 4), the state as a stack of one, is flattened to (B, 4).
    """

    def __init__(self, n_inputs: int, n_actions: int, hidden: int = 256) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(n_inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                                    nn.Linear(hidden, n_actions))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x.flatten(1).to(torch.float32))


def to_device(network: nn.Module, device: torch.device | str) -> nn.Module:
    """``network`` on ``device``; on a CPU its weights in channels-last order.

    oneDNN's CPU convolutions run their backward pass about twice as fast on channels-last
    weights (the first convolution of the recipe's network: 1.1 ms -> 0.46 ms per batch of 32,
    fwd + bwd, on this project's 2-core machine). The input stays (N, C, H, W): torch converts it,
    and a layer's result is the same up to rounding in the last bits. GPUs keep the default order.
    """
    network = network.to(device)
    if torch.device(device).type == "cpu":
        network = network.to(memory_format=torch.channels_last)
    return network


def layer_table(network: nn.Module, example: torch.Tensor) -> str:
    """A text table of each leaf layer's output shape and parameter count on ``example``."""
    rows: list[tuple[str, str, int]] = []
    hooks = []
    for name, module in network.named_modules():
        if not list(module.children()):  # leaf layers only
            def record(mod: nn.Module, _inputs, output, name: str = name) -> None:
                rows.append((name, str(tuple(output.shape)), sum(p.numel() for p in mod.parameters())))
            hooks.append(module.register_forward_hook(record))
    try:
        with torch.no_grad():
            network(example)
    finally:
        for hook in hooks:
            hook.remove()
    lines = [f"{'layer':<12}{'output shape':<22}{'parameters':>10}", "-" * 44]
    lines.append(f"{'input':<12}{str(tuple(example.shape)):<22}{'':>10}")
    lines += [f"{name:<12}{shape:<22}{params:>10,}" for name, shape, params in rows]
    lines += ["-" * 44, f"{'total':<34}{sum(p.numel() for p in network.parameters()):>10,}"]
    return "\n".join(lines)
