"""The Q-networks: the slides' sizes and parameter count, the recipe's uint8 input."""

import pytest
import torch

from dqn_helpers.model import PixelDQN, SlidesDQN, conv2d_size_out, layer_table


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "out"), [(40, 5, 2, 18), (90, 5, 2, 43), (7, 5, 2, 2), (84, 8, 4, 20)]
)
def test_conv2d_size_out(size, kernel, stride, out):
    assert conv2d_size_out(size, kernel, stride) == out


def test_slides_dqn_has_the_slides_shape():
    net = SlidesDQN(40, 90, 2)
    assert net.head.in_features == 2 * 8 * 32
    assert sum(p.numel() for p in net.parameters()) == 40_866
    assert net(torch.rand(4, 3, 40, 90)).shape == (4, 2)


def test_slides_dqn_refuses_a_screen_too_small():
    with pytest.raises(ValueError, match="too small"):
        SlidesDQN(20, 20, 2)


def test_pixel_dqn_takes_stacked_uint8_frames():
    net = PixelDQN(4, 30, 90, 2)
    frames = torch.randint(0, 256, (3, 4, 30, 90), dtype=torch.uint8)
    q = net(frames)
    assert q.shape == (3, 2) and q.dtype == torch.float32
    # no BatchNorm: a screen's values do not depend on the rest of the batch
    assert torch.allclose(net(frames[:1]), q[:1], atol=1e-6)


def test_layer_table_lists_shapes_and_total():
    table = layer_table(SlidesDQN(40, 90, 2), torch.rand(2, 3, 40, 90))
    assert "(2, 32, 2, 8)" in table and "40,866" in table
