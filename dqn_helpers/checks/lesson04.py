"""Checkers for lesson 04 (the Q-network): conv2d_size_out and the slides' DQN."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from dqn_helpers.checks.core import Mistake, StudentError, call, checker
from dqn_helpers.model import SlidesDQN, conv2d_size_out


@checker("conv2d_size_out", conv2d_size_out, "dqn_helpers.model.conv2d_size_out")
def check_conv2d_size_out(student: Callable[..., int]) -> str:
    """``conv2d_size_out(size, kernel_size=5, stride=2)``: output length of an unpadded conv."""
    cases = [(40, 5, 2), (18, 5, 2), (7, 5, 2), (90, 5, 2), (43, 5, 2), (84, 8, 4), (10, 3, 1), (6, 5, 2)]
    for size, kernel, stride in cases:
        given = f"conv2d_size_out({size}, kernel_size={kernel}, stride={stride})"
        got = call(student, size, kernel_size=kernel, stride=stride, given=given)
        expected = conv2d_size_out(size, kernel, stride)
        if isinstance(got, float):
            raise Mistake("the size should be a whole number of pixels.", given=given, expected=expected,
                          got=got, hint="use floor division // instead of /.")
        if got == expected:
            continue
        if got == expected - 1:
            hint = "a window of kernel_size fits (size - kernel_size) // stride + 1 times: don't forget the + 1."
        elif got == (size - kernel) + 1:
            hint = "divide by the stride: the window moves stride pixels at a time."
        else:
            hint = "(size - (kernel_size - 1) - 1) // stride + 1"
        raise Mistake("wrong output size.", given=given, expected=expected, got=got, hint=hint)
    return "right on the slides' 40x90 screens and on other kernels and strides."


def _layers(network: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(name, m) for name, m in network.named_modules()
            if isinstance(m, (nn.Conv2d, nn.BatchNorm2d, nn.Linear))]


def _describe(module: nn.Module) -> str:
    if isinstance(module, nn.Conv2d):
        return (f"Conv2d({module.in_channels}, {module.out_channels}, kernel_size={module.kernel_size[0]}, "
                f"stride={module.stride[0]})")
    if isinstance(module, nn.BatchNorm2d):
        return f"BatchNorm2d({module.num_features})"
    return f"Linear({module.in_features}, {module.out_features})"


def _copy_weights(source: nn.Module, target: nn.Module) -> None:
    with torch.no_grad():
        for (_, s), (_, t) in zip(_layers(source), _layers(target), strict=True):
            for name, tensor in list(s.named_parameters()) + list(s.named_buffers()):
                getattr(t, name).copy_(tensor)


@checker("DQN", SlidesDQN, "dqn_helpers.model.SlidesDQN")
def check_dqn(student: type) -> str:
    """The slides' ``DQN(h, w, outputs)``: 3 x (conv 5x5/2, BatchNorm, ReLU) and a linear head."""
    given = "DQN(h=40, w=90, outputs=2)"
    torch.manual_seed(0)
    network = call(student, 40, 90, 2, given=given)
    reference = SlidesDQN(40, 90, 2)
    mine, theirs = _layers(network), _layers(reference)
    for position, (want_name, want) in enumerate(theirs):
        if position >= len(mine):
            raise Mistake(f"layer {want_name} is missing.", given=given, expected=_describe(want),
                          got=f"only {len(mine)} layers", hint="conv1, bn1, conv2, bn2, conv3, bn3, head.")
        name, layer = mine[position]
        if _describe(layer) != _describe(want):
            if isinstance(want, nn.Linear) and isinstance(layer, nn.Linear):
                hint = ("wrong flatten size: the head's input is convw * convh * 32, with convw and convh "
                        "from conv2d_size_out applied three times to w and to h.")
            else:
                hint = ("the slides: Conv2d(3, 16, 5, 2), Conv2d(16, 32, 5, 2), Conv2d(32, 32, 5, 2), "
                        "each followed by BatchNorm2d.")
            raise Mistake(f"layer {name} is not the slides' {want_name}.", given=given,
                          expected=_describe(want), got=_describe(layer), hint=hint)
    if len(mine) > len(theirs):
        raise Mistake("the network has extra layers.", given=given, expected=f"{len(theirs)} layers",
                      got=f"{len(mine)}: {', '.join(_describe(m) for _, m in mine)}")
    _copy_weights(reference, network)
    screens = torch.rand(5, 3, 40, 90)
    output = call(network, screens, given="forward on a batch of 5 screens of 3x40x90")
    if tuple(output.shape) != (5, 2):
        raise Mistake("forward should return one Q-value per action for each screen.",
                      given="a batch of 5 screens", expected=(5, 2), got=tuple(output.shape),
                      hint="flatten with x.view(x.size(0), -1) before the head.")
    expected = reference(screens)
    if not torch.allclose(output, expected, atol=1e-5):
        raise Mistake("the layers are right, but forward computes something else.",
                      given="a batch of 5 screens, with the reference network's weights copied in",
                      expected=[round(v, 3) for v in expected[0].tolist()],
                      got=[round(v, 3) for v in output[0].tolist()],
                      hint="x = F.relu(self.bn1(self.conv1(x))) for each of the three blocks, then the head.")
    given = "DQN(h=60, w=120, outputs=3) on 2 screens of 3x60x120"
    wide = call(student, 60, 120, 3, given=given)
    try:
        shape = tuple(call(wide, torch.rand(2, 3, 60, 120), given=given).shape)
    except StudentError as crash:
        shape = f"{type(crash.error).__name__}: {crash.error}"
    if shape != (2, 3):
        raise Mistake("the head's size must follow the screen size, not be fixed for 40x90.",
                      given=given, expected=(2, 3), got=shape,
                      hint="compute linear_input_size from h and w with conv2d_size_out.")
    return "the slides' layers, the right flatten size, and the same Q-values as the reference."
