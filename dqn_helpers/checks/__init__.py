"""Exercise checkers: call ``check_...(your_function)`` in the cell after each exercise.

Each prints "not implemented yet", what is wrong (with the input that showed it and a hint),
or a success line, and returns what the rest of the lesson should use.
"""

from dqn_helpers.checks.lesson01 import check_play_episode, check_random_baseline

__all__ = ["check_play_episode", "check_random_baseline"]
