"""Short self-check quizzes at the end of each lesson, with instant feedback.

``quiz = dh.quiz.Quiz("01")`` shows the lesson's questions; ``quiz.answer(1, "b")`` prints ✅ or ❌
with the reason *for the choice made*, so a wrong answer teaches something too. Like the
exercise checkers it never raises into the notebook: an unknown question or choice gets a line
saying what is possible. Plain functions rather than widgets, so the quiz works the same in
Jupyter, JupyterLab, Colab (ipywidgets 7) and under the test suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dqn_helpers.i18n import _

PLACEHOLDER = "?"


@dataclass(frozen=True)
class Question:
    """One multiple-choice question: each choice maps to (its text, why it is right or wrong)."""

    text: str
    choices: dict[str, tuple[str, str]]
    correct: str


def _q(text: str, correct: str, **choices: tuple[str, str]) -> Question:
    return Question(text, choices, correct)


QUIZZES: dict[str, list[Question]] = {
    "01": [
        _q("An episode of CartPole-v1 ends with `terminated=False, truncated=True`. What happened?", "b",
           a=("The pole fell.", "A fall *terminates* the episode: terminated would be True."),
           b=("The 500-step time limit was reached.",
              "Truncation is the clock: the pole may still have been up, and its future did not end."),
           c=("The cart left the track.", "Leaving the track (|x| > 2.4) also *terminates* the episode.")),
        _q("Which line is gymnasium's `step`?", "b",
           a=("`obs, reward, done, info = env.step(a)`",
              "That is old gym's 4-tuple, with one `done` for both endings."),
           b=("`obs, reward, terminated, truncated, info = env.step(a)`",
              "Five values: the two ways an episode ends are told apart."),
           c=("`obs, info = env.step(a)`", "That pair is what `env.reset()` returns.")),
        _q("What is $Q^*(s, a)$?", "b",
           a=("The reward for taking action a in state s.",
              "That is only the first term: Q adds the discounted rewards of everything that follows."),
           b=("The expected return after taking a in s and acting optimally afterwards.",
              "That is why acting greedily on Q* is optimal: it already counts the future."),
           c=("The probability of choosing a in s.", "That is a policy, π(a | s); Q is a value, not a probability.")),
        _q("Why is 'solved' a mean over 100 episodes, not one episode?", "a",
           a=("Episode lengths vary a lot; one lucky episode says little.",
              "The histogram in section 5 shows how widely even a random policy's lengths spread."),
           b=("Because CartPole is deterministic.",
              "Each episode starts from a random state, so scores vary from episode to episode."),
           c=("Because 100 is the time limit.", "The time limits are 200 (v0) and 500 (v1) steps.")),
    ],
    "02": [
        _q("Why is the slides' state the difference of two screens?", "a",
           a=("One frame shows where things are, not how they move.",
              "The difference carries motion; the recipe stacks 4 frames for the same reason."),
           b=("To make the image smaller.", "The difference has exactly the shape of one screen."),
           c=("To remove the colours.", "A difference keeps the 3 colour channels.")),
        _q("The cart is at x = 0 m on a 600-pixel-wide frame. Which column does `get_cart_location` return?", "b",
           a=("0", "Column 0 is the left edge, where x = -2.4 m is drawn."),
           b=("300", "x = 0 is the middle of the track, drawn in the middle of the screen: 0 * 125 + 300."),
           c=("600", "Column 600 does not exist: columns run from 0 to 599.")),
        _q("Away from the track's edges, why can't the slides' network see where the cart is?", "a",
           a=("The window follows the cart, so the cart is always in its middle.",
              "Two carts a metre apart give identical screens (section 4 shows it); only near the "
              "edges, where the window is clamped, does the position show."),
           b=("40x90 pixels are too few to see the cart.", "The cart is plain to see at 40x90."),
           c=("Colour hides the position.", "Colour has nothing to do with it: the crop does.")),
    ],
    "03": [
        _q("Why does DQN learn from random minibatches of a replay memory rather than from the last steps?", "a",
           a=("Consecutive steps are nearly identical; random samples break that correlation and reuse experience.",
              "Learning in order chases the last few seconds and forgets the rest."),
           b=("Random sampling makes training deterministic.", "Sampling at random adds randomness, if anything."),
           c=("A network can only take 128 inputs at a time.", "The batch size is a choice, not a limit of networks.")),
        _q("When must a transition store `next_state = None`?", "b",
           a=("Whenever the episode ends.",
              "That is the slides' `None if done`: it also cuts the future at the time limit."),
           b=("Only when the pole fell or the cart left the track (terminated).",
              "None means 'no future': right after a fall, wrong at a time-limit stop."),
           c=("At the time limit.", "At the time limit the pole may be up: the state still has a future.")),
        _q("After 12,000 pushes into `ReplayMemory(10000)`, what is `len(memory)`?", "b",
           a=("12,000", "The deque's maxlen drops the oldest transition once it is full."),
           b=("10,000", "Full at its capacity: the 2,000 oldest transitions were dropped."),
           c=("2,000", "The memory keeps the newest 10,000, not the overflow.")),
    ],
    "04": [
        _q("What is `conv2d_size_out(40, kernel_size=5, stride=2)`?", "a",
           a=("18", "(40 - 5) // 2 + 1 = 17 + 1."),
           b=("17", "That forgets the first position of the window: add 1."),
           c=("20", "That ignores the kernel: a 5-wide window cannot start in the last 4 pixels.")),
        _q("What does the network's head output for one screen?", "b",
           a=("A probability for each action.", "No softmax: Q-values are expected returns, any real number."),
           b=("An estimate of the return, Q(s, a), for each action.",
              "It regresses values; the greedy action is their argmax."),
           c=("The chosen action.", "Choosing is select_action's job, from the Q-values.")),
        _q("What does `target_net = policy_net` do?", "b",
           a=("It makes a frozen copy.", "No copy is made: `=` binds a second name to the same object."),
           b=("Both names now refer to the same network, so the 'target' moves with every update.",
              "Build a second network and `load_state_dict` the first one's weights into it."),
           c=("It copies the weights once.",
              "That is what `target_net.load_state_dict(policy_net.state_dict())` does.")),
        _q("What does `target_net.eval()` change for the slides' network?", "a",
           a=("BatchNorm uses its running statistics, so a screen's values no longer depend on the batch.",
              "Lesson 04's trap (c): the same weights give other values in train mode."),
           b=("It freezes the weights so the optimiser cannot change them.",
              "eval() freezes nothing: the target is safe because the optimiser only has policy_net's parameters."),
           c=("It moves the network to the GPU.", "That is `.to(device)`.")),
    ],
    "05": [
        _q("With ε = 0.2 and 2 actions, how often does ε-greedy take the greedy action?", "b",
           a=("80% of the time.", "A random action is the greedy one half the time too: 0.8 + 0.2 / 2."),
           b=("90% of the time.", "0.8 exploiting, plus half of the 0.2 exploring."),
           c=("20% of the time.", "ε is the share of *random* actions.")),
        _q("Why does ε start high?", "a",
           a=("The untrained network's preferences are arbitrary; random actions gather varied experience.",
              "Exploiting an untrained network repeats the same mistakes."),
           b=("A high ε always makes learning faster.", "Exploring forever never uses what was learnt."),
           c=("The loss is undefined when ε is low.", "The loss does not involve ε at all.")),
        _q("The slides' schedule (0.9 → 0.05, EPS_DECAY = 200) is within 0.01 of 0.05 after about how many steps?",
           "b",
           a=("200 steps.", "After `decay` steps the gap has only shrunk by a factor e: ε ≈ 0.36."),
           b=("900 steps.", "200 · ln(0.85 / 0.01) ≈ 889 steps, as the lesson computes."),
           c=("20,000 steps.", "That is the linear schedule lesson 08 tries, not the slides'.")),
    ],
    "06": [
        _q("Why is the target r + γ max Q'(s', a') computed with the target network Q'?", "a",
           a=("A copy refreshed only now and then keeps the goal from moving with every update.",
              "Chasing targets computed by the network being updated can oscillate or diverge."),
           b=("The target network is more accurate.", "It is an older copy of the same network: if anything, less."),
           c=("The policy network cannot process next states.", "It can: both networks have the same shape.")),
        _q("Why is the target computed under `torch.no_grad()` (or `.detach()`)?", "a",
           a=("It is a fixed number for this update: no gradient may flow into it.",
              "The update moves Q(s, a) towards the target, not the target towards Q(s, a)."),
           b=("Only to save memory.", "It saves memory too, but without it gradients would reach the target network."),
           c=("It makes the loss smaller.", "It does not change the loss's value, only where gradients go.")),
        _q("An episode is cut by the time limit with the pole upright. What target does its last transition get?",
           "b",
           a=("r alone, as after a fall.", "That is the slides' `None if done`: it pretends the future ended."),
           b=("r + γ max Q'(s', a'): the future did not end.", "Only a termination zeroes the future."),
           c=("0.", "The step was rewarded: the target starts from r.")),
        _q("Why the Huber loss rather than the squared error?", "a",
           a=("It grows linearly for large errors, so one surprising transition cannot blow up the gradient.",
              "For |d| < β it is the squared error (halved); beyond, its slope stays at 1."),
           b=("It is always smaller, so training is faster.", "Smaller values do not mean faster learning."),
           c=("It ignores small errors.", "Small errors are squared, not ignored.")),
    ],
    "07": [
        _q("The recipe's TD loss grows while its returns rise. What does that say?", "c",
           a=("The run is diverging: stop it.", "The returns rise: the agent improves. The loss is not a score."),
           b=("The learning rate is too low.", "A low rate slows learning; it does not make the loss grow."),
           c=("Nothing bad: the targets move and grow with the values, so the errors grow too.",
              "Judge a DQN run by its returns; its loss measures the error against moving targets.")),
        _q("γ = 0.99 and the reward is 1 per step. What is the most a state can be worth?", "c",
           a=("200, the episode's length on CartPole-v0.", "Discounting makes far rewards count less: "
              "the sum of γ^k is 1 / (1 - γ)."),
           b=("1, one step's reward.", "Every future step adds γ^k more."),
           c=("100 = 1 / (1 - γ).", "The sum of γ^k over an endless episode.")),
        _q("Why must `push_frame` build a new array instead of writing into the stack it gets?", "a",
           a=("The replay memory may still hold that stack: writing into it would change a stored state.",
              "A stored transition must keep the state the agent really saw."),
           b=("A new array is faster to build.", "Copying costs time; the reason is correctness, not speed."),
           c=("NumPy arrays cannot be changed.", "They can: `stack[0] = frame` works, and that is the danger.")),
    ],
    "08": [
        _q("A run's kept network scored 500 on the 10-episode evaluation that selected it. What does it score on "
           "100 fresh episodes?", "b",
           a=("500: it was measured.",
              "It was measured on the episodes it was chosen by: the best of several noisy scores looks too good."),
           b=("It may score less: the best of several noisy evaluations is biased upwards.",
              "That is why the final number comes from episodes never used to choose the network."),
           c=("Nothing can be said.", "Fresh episodes give an unbiased estimate of the kept network's score.")),
        _q("In Double DQN, which network picks the next action and which one evaluates it?", "a",
           a=("The online network picks (argmax), the target network evaluates.",
              "Q'(s', argmax_a Q(s', a)): an error in one network is rarely matched by the other."),
           b=("The target network picks, the online network evaluates.", "That is the roles swapped."),
           c=("The target network does both.", "That is the plain max target, max_a Q'(s', a).")),
        _q("A 3-step return starts at step t and the pole falls at step t+1. What is the target?", "c",
           a=("r_t + γ r_{t+1} + γ² r_{t+2} + γ³ V(s_{t+3}).",
              "Step t+2 belongs to the next episode: the sum stops at the fall."),
           b=("r_t + γ r_{t+1} + γ² V(s_{t+2}).", "After a fall there is no next state to bootstrap from."),
           c=("r_t + γ r_{t+1}.", "Two rewards, and no bootstrap: the future ended.")),
        _q("A change had a good reason, yet putting it back alone did not slow the recipe on any of 3 seeds. "
           "What follows?", "b",
           a=("The reason was wrong, for every task.", "One recipe on one task says nothing about every task."),
           b=("On CartPole, inside this recipe, the change was not needed to solve; elsewhere it may be.",
              "An ablation answers a narrow question: this recipe, this task, these seeds, this budget."),
           c=("Three seeds prove the change never matters.", "Three seeds can miss a change that helps rarely, "
              "and solving says nothing about staying solved.")),
    ],
}



def balanced(quizzes: dict[str, list[Question]]) -> dict[str, list[Question]]:
    """The same questions with the right choice moved so that, over the course, each letter is
    right equally often (a, b, c, a, b, c, ...): no letter is a better guess than the others.

    The questions above are written with their right answer wherever it was first put; only the
    letters move here, each choice keeping its text and its reason."""
    result, position = {}, 0
    for lesson, questions in quizzes.items():
        result[lesson] = []
        for question in questions:
            letters = list(question.choices)
            target = letters[position % len(letters)]
            position += 1
            order = {letter: letter for letter in letters} | {target: question.correct, question.correct: target}
            choices = {letter: question.choices[order[letter]] for letter in letters}
            result[lesson].append(Question(question.text, choices, target))
    return result


QUIZZES = balanced(QUIZZES)


class Quiz:
    """The end-of-lesson quiz of one lesson."""

    def __init__(self, lesson: str) -> None:
        self.lesson = str(lesson).zfill(2)
        self.questions = QUIZZES.get(self.lesson, [])
        self.last_right = False  # whether the latest answer was right (answer() prints, returns nothing)

    def _repr_markdown_(self) -> str:
        if not self.questions:
            return _("*No quiz for lesson {lesson}.*").format(lesson=self.lesson)
        lines = []
        for number, question in enumerate(self.questions, start=1):
            lines.append(f"**{number}.** {_(question.text)}\n")
            lines += [f"- **{letter})** {_(text)}" for letter, (text, _why) in question.choices.items()]
            lines.append("")
        lines.append(_('Answer each with `quiz.answer(number, "letter")`, e.g. `quiz.answer(1, "a")`.'))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self._repr_markdown_()

    def answer(self, number: Any, choice: Any = PLACEHOLDER) -> None:
        """Print whether ``choice`` answers question ``number``, and why (it returns nothing, so a
        notebook cell ending with ``quiz.answer(...)`` shows the verdict and no stray value)."""
        self.last_right = self._verdict(number, choice)

    def _verdict(self, number: Any, choice: Any) -> bool:
        if not self.questions:
            print(_("❌ there is no quiz for lesson {lesson}.").format(lesson=self.lesson))
            return False
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= len(self.questions):
            print(_("❌ question {number} does not exist: the questions are numbered 1 to {count}.")
                  .format(number=repr(number), count=len(self.questions)))
            return False
        question = self.questions[number - 1]
        letters = ", ".join(question.choices)
        if choice == PLACEHOLDER or choice is None:
            print(_("⏳ question {number}: replace \"{placeholder}\" with your choice ({letters}).")
                  .format(number=number, placeholder=PLACEHOLDER, letters=letters))
            return False
        picked = str(choice).strip().lower().rstrip(")")
        if picked not in question.choices:
            print(_("❌ question {number}: {choice} is not one of the choices ({letters}).")
                  .format(number=number, choice=repr(choice), letters=letters))
            return False
        why = _(question.choices[picked][1])
        if picked == question.correct:
            print(_("✅ question {number}: {why}").format(number=number, why=why))
            return True
        print(_("❌ question {number}: not {picked}) — {why} Try again.").format(number=number, picked=picked, why=why))
        return False
