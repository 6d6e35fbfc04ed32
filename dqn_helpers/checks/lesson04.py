"""Checkers for lesson 04 (the Q-network): conv2d_size_out, the slides' DQN, and the declaration
of the policy and target networks with their optimiser.

The network is compared by what it *does*: the layers its ``forward`` actually runs, in that
order (so layers registered in another order, ``nn.Sequential`` or ``nn.LazyLinear`` are fine),
then its Q-values with the reference's weights copied in, at two screen sizes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from dqn_helpers.checks.core import (
    Mistake,
    Snapshot,
    StudentError,
    call,
    checker,
    close,
    diagnose,
    diagnose_every,
    expect_unchanged,
)
from dqn_helpers.i18n import _
from dqn_helpers.model import SlidesDQN, conv2d_size_out
from dqn_helpers.slides import SlidesAgent


def _size_variants(size: int, kernel: int, stride: int) -> list[tuple[Callable[[], Any], str]]:
    return [
        (lambda: (size - kernel) // stride, _("a window of kernel_size fits (size - kernel_size) // stride + 1 "
                                              "times: count the first position too (+ 1).")),
        (lambda: size - kernel + 1, _("the window moves stride pixels at a time: divide by the stride.")),
        (lambda: (size - kernel + 1) // stride, _("add the 1 after dividing: (size - kernel_size) // stride + 1.")),
        (lambda: -(-(size - kernel) // stride) + 1,
         _("a window that would stick out past the edge does not count: the number of "
           "positions is (size - kernel_size) // stride + 1.")),
        (lambda: (size + 2 - kernel) // stride + 1, _("the slides' convolutions have no padding: nothing to add.")),
        (lambda: (size - 5) // 2 + 1, _("use the kernel_size and stride you are given, not 5 and 2.")),
        (lambda: size // stride, _("the kernel's size matters: (size - kernel_size) // stride + 1.")),
    ]


@checker("conv2d_size_out", conv2d_size_out, "dqn_helpers.model.conv2d_size_out")
def check_conv2d_size_out(student: Callable[..., int]) -> str:
    """``conv2d_size_out(size, kernel_size=5, stride=2)``: output length of an unpadded conv."""
    cases = [(40, 5, 2), (18, 5, 2), (7, 5, 2), (90, 5, 2), (43, 5, 2), (84, 8, 4), (10, 3, 1), (6, 5, 2),
             (21, 4, 3)]
    results: list[tuple[int, list]] = []
    first_wrong: Mistake | None = None
    for size, kernel, stride in cases:
        given = f"conv2d_size_out({size}, kernel_size={kernel}, stride={stride})"
        got = call(student, size, kernel, stride, given=given)
        try:
            _expect_size(got, conv2d_size_out(size, kernel, stride), given, [])
        except Mistake as wrong:
            if wrong.problem != _("wrong output size."):
                raise
            first_wrong = first_wrong or wrong
        results.append((int(got), _size_variants(size, kernel, stride)))
    if first_wrong is not None:
        first_wrong.hint = diagnose_every(results, lambda a, b: a == b)
        raise first_wrong
    for size in (40, 90, 7):
        given = _("conv2d_size_out({size}) (the defaults: kernel_size=5, stride=2)").format(size=size)
        got = call(student, size, given=given)
        _expect_size(got, conv2d_size_out(size), given, [],
                     hint=_("keep the slides' defaults in the signature: kernel_size=5, stride=2."))
    return _("right on the slides' 40x90 screens, with the defaults, and on other kernels and strides.")


def _expect_size(got: Any, expected: int, given: str, variants: list, hint: str | None = None) -> None:
    if got is None:
        raise Mistake(_("conv2d_size_out returned None."), given=given, expected=expected, got=None,
                      hint=_("end with `return` and the size."))
    whole = isinstance(got, int) or hasattr(got, "__index__") and not torch.is_tensor(got)
    if isinstance(got, bool) or not whole:
        raise Mistake(_("the size should be a whole number of pixels (an int)."), given=given, expected=expected,
                      got=f"{got!r} ({type(got).__name__})",
                      hint=_("use floor division // instead of /; nn.Linear needs an int.")
                      if isinstance(got, float) else _("return a plain int."))
    if int(got) != expected:
        raise Mistake(_("wrong output size."), given=given, expected=expected, got=int(got),
                      hint=hint or diagnose(int(got), variants, lambda a, b: a == b))


# --- the network --------------------------------------------------------------------------

_COUNTED = (nn.Conv2d, nn.BatchNorm2d, nn.Linear, nn.LazyLinear, nn.LazyConv2d, nn.MaxPool2d, nn.Dropout,
            nn.BatchNorm1d, nn.Softmax)


def _describe(module: nn.Module) -> str:
    if isinstance(module, nn.Conv2d):
        padding = "" if module.padding in ((0, 0), 0, "valid") else f", padding={module.padding}"
        return (f"Conv2d({module.in_channels}, {module.out_channels}, kernel_size={module.kernel_size[0]}, "
                f"stride={module.stride[0]}{padding})")
    if isinstance(module, nn.BatchNorm2d):
        return f"BatchNorm2d({module.num_features})"
    if isinstance(module, nn.Linear):
        return f"Linear({module.in_features}, {module.out_features})"
    return type(module).__name__


def _run_order(network: nn.Module, screens: torch.Tensor, given: str) -> tuple[list[nn.Module], Any]:
    """The layers ``forward`` runs, in the order it runs them, and its output."""
    order: list[nn.Module] = []
    hooks = [m.register_forward_hook(lambda m, _i, _o: order.append(m))
             for m in network.modules() if isinstance(m, _COUNTED)]
    try:
        output = call(network, screens, given=given)
    finally:
        for hook in hooks:
            hook.remove()
    return order, output


def _unregistered_layers(network: nn.Module) -> str | None:
    """The name of an attribute holding layers in a plain list, tuple or dict (invisible to torch)."""
    for name, value in vars(network).items():
        items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
        if name.startswith("_"):
            continue
        if any(isinstance(item, nn.Module) or isinstance(item, (list, tuple))
               and any(isinstance(part, nn.Module) for part in item) for item in items):
            return name
    return None


def _reference_variants(reference: SlidesDQN, screens: torch.Tensor) -> list[tuple[Callable[[], Any], str]]:
    r = reference
    blocks = [(r.conv1, r.bn1), (r.conv2, r.bn2), (r.conv3, r.bn3)]

    def forward(activation_first: tuple[bool, ...] = (False, False, False),
                relu: tuple[bool, ...] = (True, True, True),
                after: Callable[[torch.Tensor], torch.Tensor] = lambda q: q) -> torch.Tensor:
        x = screens
        for (conv, bn), first, use_relu in zip(blocks, activation_first, relu, strict=True):
            x = conv(x)
            x = bn(F.relu(x)) if first and use_relu else F.relu(bn(x)) if use_relu else bn(x)
        return after(r.head(x.flatten(1)))

    swapped = [(True, True, True)] + [tuple(i == k for i in range(3)) for k in range(3)]
    return [
        *[(lambda order=order: forward(activation_first=order),
           _("apply BatchNorm before the ReLU in every block: F.relu(self.bn1(self.conv1(x)))."))
          for order in swapped],
        (lambda: forward(relu=(False, False, False)),
         _("each block ends with a ReLU: F.relu(self.bn1(self.conv1(x))).")),
        *[(lambda k=k: forward(relu=tuple(i != k for i in range(3))),
           _("block {number} is missing its ReLU.").format(number=k + 1)) for k in range(3)],
        (lambda: forward(after=F.relu), _("no ReLU after the head: Q-values can be negative.")),
        (lambda: forward(after=lambda q: F.softmax(q, dim=1)),
         _("the head outputs Q-values (expected returns), not probabilities: no softmax.")),
        (lambda: forward(after=torch.sigmoid), _("the head outputs Q-values as they are: no sigmoid.")),
    ]


@checker("DQN", SlidesDQN, "dqn_helpers.model.SlidesDQN")
def check_dqn(student: type) -> str:
    """The slides' ``DQN(h, w, outputs)``: 3 x (conv 5x5/2, BatchNorm, ReLU) and a linear head."""
    given = "DQN(h=40, w=90, outputs=2)"
    torch.manual_seed(0)
    network = call(student, 40, 90, 2, given=given)
    if not isinstance(network, nn.Module):
        raise Mistake(_("DQN(...) should make a torch network."), given=given, expected=_("an nn.Module"),
                      got=type(network).__name__, hint="class DQN(nn.Module): ...")
    reference = SlidesDQN(40, 90, 2)
    screens = torch.rand(5, 3, 40, 90)
    before = Snapshot("x", screens)
    order, _output = _run_order(network, screens, _("forward on a batch of 5 screens of 3x40x90"))
    expect_unchanged([before], _("forward on a batch of 5 screens of 3x40x90"), _("your forward"))
    ran = [_describe(m) for m in order]
    want = [_describe(m) for m in (reference.conv1, reference.bn1, reference.conv2, reference.bn2,
                                   reference.conv3, reference.bn3, reference.head)]
    unused = [name for name, m in network.named_modules() if isinstance(m, _COUNTED) and m not in order]
    hidden = _unregistered_layers(network)
    if hidden:
        raise Mistake(_("the layers in `self.{hidden}` are not registered with the network: torch does not see "
                        "them (no weights to train, nothing moved by .to(device), no state_dict entries).")
                      .format(hidden=hidden),
                      given=given, expected=" → ".join(_describe(m) for m in (
                          reference.conv1, reference.bn1, reference.conv2, reference.bn2, reference.conv3,
                          reference.bn3, reference.head)),
                      got=_("{layers} (registered)").format(layers=" → ".join(ran)) if ran
                      else _("no registered layers"),
                      hint=_("a plain Python list or dict hides its layers: use nn.ModuleList (or nn.Sequential) "
                             "for `self.{hidden}`, or give each layer its own attribute (self.conv1 = ...).")
                      .format(hidden=hidden))
    if ran != want:
        position = next((i for i, (a, b) in enumerate(zip(ran, want, strict=False)) if a != b),
                        min(len(ran), len(want)))
        if unused and len(ran) < len(want):
            hint = _("`{name}` is defined in __init__ but forward never uses it.").format(name=unused[0])
        elif position < len(want) and position < len(ran) and want[position].startswith("Linear") \
                and ran[position].startswith("Linear"):
            hint = _("wrong flatten size: the head's input is convw * convh * 32, with convw and convh from "
                     "conv2d_size_out applied three times to w and to h.")
        elif position < len(want) and want[position].startswith("BatchNorm"):
            hint = _("each convolution is followed by its BatchNorm2d (16, 32, 32 channels).")
        else:
            hint = _("the slides' layers: Conv2d(3, 16), Conv2d(16, 32), Conv2d(32, 32), all kernel_size=5, "
                     "stride=2, each followed by BatchNorm2d, then the linear head.")
        raise Mistake(_("layer {number} that forward runs is not the slides' layer {number}.").format(
                          number=position + 1),
                      given=given, expected=" → ".join(want), got=" → ".join(ran) or _("no layers ran"), hint=hint)
    with torch.no_grad():
        for mine, theirs in zip(order, (reference.conv1, reference.bn1, reference.conv2, reference.bn2,
                                        reference.conv3, reference.bn3, reference.head), strict=True):
            for name, tensor in list(theirs.named_parameters()) + list(theirs.named_buffers()):
                getattr(mine, name).copy_(tensor)
    for mode in ("train", "eval"):
        network.train(mode == "train")
        reference.train(mode == "train")
        fresh = torch.rand(6, 3, 40, 90)
        given = _("forward on 6 screens of 3x40x90 in {mode}() mode, with the reference network's weights "
                  "copied in").format(mode=mode)
        output = call(network, fresh.clone(), given=given)
        if not torch.is_tensor(output) or tuple(output.shape) != (6, 2):
            raise Mistake(_("forward should return one Q-value per action for each screen."), given=given,
                          expected=(6, 2),
                          got=tuple(output.shape) if torch.is_tensor(output) else type(output).__name__,
                          hint=_("flatten each screen's features, x.view(x.size(0), -1), then return "
                                 "self.head(x)."))
        with torch.no_grad():
            expected = reference(fresh)
        if not close(output, expected, 1e-4):
            with torch.no_grad():
                hint = diagnose(output, _reference_variants(reference, fresh), lambda a, b: close(a, b, 1e-4))
            raise Mistake(_("the layers are right, but forward computes something else."), given=given,
                          expected=expected[0], got=output[0].detach(), hint=hint)
    given = _("DQN(h=60, w=120, outputs=3) on 2 screens of 3x60x120")
    wide = call(student, 60, 120, 3, given=given)
    try:
        shape = tuple(call(wide, torch.rand(2, 3, 60, 120), given=given).shape)
    except StudentError as crash:
        shape = f"{type(crash.error).__name__}: {str(crash.error)[:120]}"
    if shape != (2, 3):
        heads = [m for m in wide.modules() if isinstance(m, nn.Linear)] if isinstance(wide, nn.Module) else []
        size = conv2d_size_out(conv2d_size_out(conv2d_size_out(60))) * conv2d_size_out(
            conv2d_size_out(conv2d_size_out(120))) * 32
        if heads and heads[-1].out_features != 3:
            hint = _("the head has one output per action: nn.Linear(linear_input_size, outputs).")
        elif heads and heads[-1].in_features == size:
            hint = _("the head is sized right, but forward flattens to a fixed size: "
                     "x.view(x.size(0), -1) keeps the batch and flattens the rest, whatever the screen.")
        else:
            hint = _("compute linear_input_size from h and w with conv2d_size_out, and use `outputs`.")
        raise Mistake(_("the head's size must follow the screen size and the number of actions, not be fixed for "
                        "40x90 and 2 actions."), given=given, expected=(2, 3), got=shape, hint=hint)
    return _("the slides' layers in the right order, the right flatten size, and the reference's Q-values.")


# --- declaring the networks ---------------------------------------------------------------


def _reference_declare(init_screen: torch.Tensor, n_actions: int, device: torch.device | str):
    _batch, _channels, screen_height, screen_width = init_screen.shape
    policy_net = SlidesDQN(screen_height, screen_width, n_actions).to(device)
    target_net = SlidesDQN(screen_height, screen_width, n_actions).to(device)
    target_net.load_state_dict(policy_net.state_dict())
    target_net.eval()
    optimizer = torch.optim.RMSprop(policy_net.parameters())
    return policy_net, target_net, optimizer


def _declared(got: Any, given: str) -> tuple[nn.Module, nn.Module, Any]:
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        raise Mistake(_("declare_networks should return three things: policy_net, target_net, optimizer."),
                      given=given, expected="(policy_net, target_net, optimizer)",
                      got=repr(got)[:80] if got is None or not isinstance(got, (tuple, list))
                      else _("a {type} of {count}").format(type=type(got).__name__, count=len(got)),
                      hint=_("end with `return policy_net, target_net, optimizer`."))
    policy_net, target_net, optimizer = got
    for name, net in (("policy_net", policy_net), ("target_net", target_net)):
        if not isinstance(net, nn.Module):
            raise Mistake(_("{name} should be a network (an nn.Module).").format(name=name), given=given,
                          expected="DQN(screen_height, screen_width, n_actions).to(device)",
                          got=type(net).__name__, hint=_("return policy_net, target_net, optimizer, in that order."))
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise Mistake(_("the third thing returned should be the optimiser."), given=given,
                      expected="optim.RMSprop(policy_net.parameters())", got=type(optimizer).__name__)
    return policy_net, target_net, optimizer


def _expect_independent(policy_net: nn.Module, target_net: nn.Module, optimizer: torch.optim.Optimizer,
                        screens: torch.Tensor, given: str) -> None:
    """One training step of the policy must leave the target exactly as it was."""
    before = {k: v.detach().clone() for k, v in target_net.state_dict().items()}
    try:
        optimizer.zero_grad()
        policy_net(screens).sum().backward()
        optimizer.step()
    except Exception as error:  # noqa: BLE001 - reported as the student's declaration failing to train
        raise Mistake(_("one training step of policy_net fails with what declare_networks returned."),
                      given=given, expected=_("optimizer.zero_grad(); loss.backward(); optimizer.step() to run"),
                      got=f"{type(error).__name__}: {str(error)[:100]}") from None
    moved = [k for k, v in target_net.state_dict().items() if not torch.equal(v, before[k])]
    if moved:
        raise Mistake(_("one training step of policy_net changed target_net too: the two are not independent."),
                      given=_("{given}, then one optimizer.step() on policy_net").format(given=given),
                      expected=_("target_net unchanged"), got=_("its `{name}` changed").format(name=moved[0]),
                      hint=_("make target_net a second DQN(...) and copy the values once with "
                             "target_net.load_state_dict(policy_net.state_dict())."))


@checker("declare_networks", _reference_declare, _("the slides' declaration, with `dqn_helpers.model.SlidesDQN`"),
         delegates=(_reference_declare, SlidesAgent))
def check_declare_networks(student: Callable[..., Any]) -> str:
    """``declare_networks(init_screen, n_actions, device)``: the slides' policy/target nets and optimiser."""
    for height, width, n_actions in ((40, 90, 2), (60, 120, 3)):
        init_screen = torch.rand(1, 3, height, width)
        given = _("declare_networks(init_screen of shape {shape}, n_actions={n_actions}, device={device!r})").format(
            shape=tuple(init_screen.shape), n_actions=n_actions, device="cpu")
        before = Snapshot("init_screen", init_screen)
        policy_net, target_net, optimizer = _declared(
            call(student, init_screen, n_actions, torch.device("cpu"), given=given), given)
        expect_unchanged([before], given)
        if policy_net is target_net:
            raise Mistake(_("policy_net and target_net are the same network."), given=given,
                          hint=_("make two networks; `target_net = policy_net` only gives the same one a second "
                                 "name, so the target would move with every update."))
        trained = {id(p) for group in optimizer.param_groups for p in group["params"]}
        if (policy_net.training is False and target_net.training
                and trained == {id(p) for p in target_net.parameters()}):
            raise Mistake(_("the two networks come back in the wrong order: the first is in eval() mode and the "
                            "optimiser trains the second."), given=given,
                          expected="(policy_net, target_net, optimizer)", got="(target_net, policy_net, optimizer)",
                          hint=_("return policy_net, target_net, optimizer, in that order."))
        shared = {id(p) for p in policy_net.parameters()} & {id(p) for p in target_net.parameters()}
        storage = ({t.data_ptr() for t in policy_net.state_dict().values() if t.numel()}
                   & {t.data_ptr() for t in target_net.state_dict().values() if t.numel()})
        if storage and not shared:
            raise Mistake(_("target_net's weights share their memory with policy_net's: every update of the "
                            "policy would move the target too."), given=given,
                          hint=_("copy the values, do not point at them: target_net.load_state_dict("
                                 "policy_net.state_dict()) (assigning `param.data = ...` shares the memory)."))
        if shared:
            raise Mistake(_("policy_net and target_net share their weight tensors."), given=given,
                          hint=_("build target_net as a second DQN(...) and copy the weights with "
                                 "target_net.load_state_dict(policy_net.state_dict())."))
        screens = torch.rand(2, 3, height, width)
        try:
            with torch.no_grad():
                q = copy.deepcopy(policy_net).eval()(screens)
        except Exception as error:  # noqa: BLE001 - the student's network, sized wrongly
            raise Mistake(_("policy_net cannot read screens of the size it was declared for."), given=given,
                          expected=_("Q-values of shape (2, {n_actions}) for 2 screens of 3x{height}x{width}").format(
                              n_actions=n_actions, height=height, width=width),
                          got=f"{type(error).__name__}: {str(error)[:100]}",
                          hint=_("read the screen's height and width from init_screen.shape "
                                 "(`_, _, screen_height, screen_width = init_screen.shape`).")) from None
        if tuple(q.shape) != (2, n_actions):
            raise Mistake(_("policy_net gives the wrong number of Q-values."), given=given,
                          expected=(2, n_actions), got=tuple(q.shape),
                          hint=_("DQN(screen_height, screen_width, n_actions): use the n_actions you are given."))
        mine, theirs = policy_net.state_dict(), target_net.state_dict()
        if mine.keys() != theirs.keys() or any(not torch.equal(mine[k], theirs[k]) for k in mine):
            raise Mistake(_("target_net does not start with policy_net's weights."), given=given,
                          hint=_("copy them once: target_net.load_state_dict(policy_net.state_dict())."))
        if target_net.training:
            raise Mistake(_("target_net is in training mode."), given=given, expected="target_net.training == False",
                          got=True, hint=_("target_net.eval(): the target network only evaluates, it never trains "
                                           "(and its BatchNorm should use its running statistics)."))
        if not policy_net.training:
            raise Mistake(_("policy_net is in evaluation mode."), given=given, expected="policy_net.training == True",
                          got=False,
                          hint=_("only target_net gets .eval(); the slides train policy_net in train mode."))
        frozen = [name for name, p in policy_net.named_parameters() if not p.requires_grad]
        if frozen:
            raise Mistake(_("policy_net's weights do not require gradients, so backward() cannot train it."),
                          given=given, expected=_("requires_grad=True for every policy_net weight"),
                          got=_("requires_grad=False for `{name}` and {count} more").format(
                              name=frozen[0], count=len(frozen) - 1) if len(frozen) > 1
                          else _("requires_grad=False for `{name}`").format(name=frozen[0]),
                          hint=_("the policy is the network that learns: leave its weights as they are "
                                 "(if you freeze anything, freeze target_net's)."))
        if trained & {id(p) for p in target_net.parameters()}:
            raise Mistake(_("the optimiser updates target_net."), given=given,
                          hint=_("optimise the policy network: optim.RMSprop(policy_net.parameters())."))
        if trained != {id(p) for p in policy_net.parameters()}:
            raise Mistake(_("the optimiser does not update all of policy_net's weights."), given=given,
                          hint=_("pass all of them: optim.RMSprop(policy_net.parameters())."))
        if not isinstance(optimizer, torch.optim.RMSprop):
            raise Mistake(_("the slides' optimiser is RMSprop."), given=given, expected="RMSprop",
                          got=type(optimizer).__name__, hint="optim.RMSprop(policy_net.parameters()).")
        if optimizer.param_groups[0]["lr"] != 0.01:
            raise Mistake(_("the slides use RMSprop with its default settings."), given=given, expected="lr 0.01",
                          got=f"lr {optimizer.param_groups[0]['lr']}", hint="optim.RMSprop(policy_net.parameters()).")
        _expect_independent(policy_net, target_net, optimizer, screens, given)
    given = _("declare_networks(init_screen of shape {shape}, n_actions={n_actions}, device={device!r})").format(
        shape=(1, 3, 40, 90), n_actions=2, device="meta")
    policy_net, target_net, _optimizer = _declared(call(student, torch.rand(1, 3, 40, 90), 2, torch.device("meta"),
                                                         given=given), given)
    for name, net in (("policy_net", policy_net), ("target_net", target_net)):
        devices = {p.device.type for p in net.parameters()}
        if devices != {"meta"}:
            raise Mistake(_("{name} is not on the device it was given.").format(name=name),
                          given=_("{given} ('meta' is a device PyTorch offers for such checks; on Colab's GPU it "
                                  "would be 'cuda')").format(given=given),
                          expected="meta", got=", ".join(sorted(devices)),
                          hint=_("move each network there: DQN(...).to(device)."))
    return _("two separate networks sized from the first screen, the same starting weights, target in eval() "
             "mode, RMSprop over the policy net, both on `device`.")
