"""Exercise checkers: call ``check_...(your_function)`` in the cell after each exercise.

Each prints "not implemented yet", what is wrong (with the input that showed it and a hint),
or a success line, and returns what the rest of the lesson should use.
"""

from dqn_helpers.checks.lesson01 import check_play_episode, check_random_baseline
from dqn_helpers.checks.lesson02 import check_crop_window, check_get_cart_location, check_get_screen
from dqn_helpers.checks.lesson03 import check_replay_memory, check_transpose_batch
from dqn_helpers.checks.lesson04 import check_conv2d_size_out, check_declare_networks, check_dqn
from dqn_helpers.checks.lesson05 import check_epsilon, check_select_action
from dqn_helpers.checks.lesson06 import check_compute_loss, check_train_episode
from dqn_helpers.checks.lesson07 import check_push_frame
from dqn_helpers.checks.lesson08 import check_double_dqn_values, check_n_step_returns

__all__ = [
    "check_compute_loss",
    "check_conv2d_size_out",
    "check_crop_window",
    "check_declare_networks",
    "check_double_dqn_values",
    "check_dqn",
    "check_epsilon",
    "check_get_cart_location",
    "check_get_screen",
    "check_n_step_returns",
    "check_play_episode",
    "check_push_frame",
    "check_random_baseline",
    "check_replay_memory",
    "check_select_action",
    "check_train_episode",
    "check_transpose_batch",
]
