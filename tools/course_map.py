"""The map of the course: the slides' DQN algorithm box and the data flow of the DQN loop, as SVG.

Every lesson opens with this figure, the part that lesson builds highlighted (the slides repeat
their algorithm box on six slides as a "you are here" guide). ``tools/course.py`` embeds it in
the lesson's first cell as an attachment, so it shows on Colab, in JupyterLab and on GitHub
without a file next to the notebook.

    python tools/course_map.py 06 > map.svg     one lesson's map, to look at
"""

from __future__ import annotations

import sys
from html import escape

# The slides' algorithm box, line by line, with the lessons that build each line.
ALGORITHM = [
    ("Initialise an empty replay memory.", {"03"}),
    ("Initialise the DQN with random (small) weights.", {"04"}),
    ("1. Choose a in state s, ε-greedy (ε annealed 1.0 → 0.1).", {"05"}),
    ("2. Perform a and receive reward R(s, a).", {"01"}),
    ("3. Observe the new state S(s, a).", {"01", "02"}),
    ("4. Add (s, a, R(s, a), S(s, a)) to the replay memory.", {"03", "06"}),
    ("5. Sample a minibatch (sᵢ, aᵢ, rᵢ, sᵢ₊₁); gradient step on", {"06", "07", "08"}),
    ("    (Q′(sᵢ, a) − (rᵢ + γ maxₐ Q′(sᵢ₊₁, a)))²", {"06", "07", "08"}),
]

# The data flow: boxes (label, lessons, column, row) and arrows (from, to, label).
NODES = {
    "env": ("Environment: CartPole", {"01"}, 0, 0),
    "screen": ("Screen → state s", {"02", "07"}, 1, 0),
    "policy": ("ε-greedy → action a", {"05"}, 0, 1),
    "network": ("Q-network Q(s, ·)", {"04", "07"}, 1, 1),
    "memory": ("Replay memory", {"03", "08"}, 0, 2),
    "loss": ("Batch → TD loss → update", {"06", "07", "08"}, 1, 2),
}
ARROWS = [
    ("env", "screen", "frame"),
    ("screen", "network", "state s"),
    ("network", "policy", "Q-values"),
    ("policy", "env", "action a"),
    ("env", "memory", "(s, a, r, s′)"),
    ("memory", "loss", "minibatch"),
    ("loss", "network", "new weights"),
]

WIDTH, HEIGHT = 980, 250
LEFT_X, RIGHT_X = 10, 430
BOX_W, BOX_H, COL_GAP, ROW_GAP = 180, 34, 260, 80
BOXES_X = RIGHT_X + 100  # room on their left for the transition arrow and its label
HIGHLIGHT = ('fill="#ffd966" stroke="#b7791f" stroke-width="2"', "#7a4a00")
PLAIN = ('fill="#f3f4f6" stroke="#9ca3af" stroke-width="1"', "#374151")


def box_xy(column: int, row: int) -> tuple[int, int]:
    return BOXES_X + column * COL_GAP, 30 + row * ROW_GAP


def text(x: float, y: float, words: str, size: int = 12, colour: str = "#111827", anchor: str = "start",
         weight: str = "normal") -> str:
    return (f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" fill="{colour}" text-anchor="{anchor}" '
            f'font-weight="{weight}">{escape(words)}</text>')


def arrow(start: str, end: str, label: str) -> str:
    (_, _, c0, r0), (_, _, c1, r1) = NODES[start], NODES[end]
    x0, y0 = box_xy(c0, r0)
    x1, y1 = box_xy(c1, r1)
    if (start, end) == ("env", "memory"):  # round the left of the ε-greedy box
        xa, ya, yb, side = x0, y0 + BOX_H / 2, y1 + BOX_H / 2, BOXES_X - 30
        path, lx, ly, anchor = f"M{xa},{ya} L{side},{ya} L{side},{yb} L{x1},{yb}", side - 4, (ya + yb) / 2, "end"
    elif r0 == r1:  # left to right, or right to left
        forward = c1 > c0
        ya = y0 + BOX_H / 2
        xa, xb = (x0 + BOX_W, x1) if forward else (x0, x1 + BOX_W)
        path, lx, ly, anchor = f"M{xa},{ya} L{xb},{ya}", (xa + xb) / 2, ya - 6, "middle"
    else:  # up or down in one column
        down = r1 > r0
        xa = x0 + BOX_W / 2
        ya, yb = (y0 + BOX_H, y1) if down else (y0, y1 + BOX_H)
        path, lx, ly, anchor = f"M{xa},{ya} L{xa},{yb}", xa + 6, (ya + yb) / 2 + 4, "start"
    return (f'<path d="{path}" fill="none" stroke="#4b5563" stroke-width="1.5" marker-end="url(#head)"/>'
            + text(lx, ly, label, 11, "#4b5563", anchor))


def svg(lesson: str) -> str:
    """The map with lesson ``lesson``'s part ("01" … "08") highlighted."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">',
        '<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z" fill="#4b5563"/></marker></defs>',
        '<rect x="0" y="0" width="100%" height="100%" fill="white"/>',
        text(LEFT_X, 18, "The slides' DQN algorithm", 13, weight="bold"),
        text(BOXES_X - 40, 18, f"The DQN loop (lesson {lesson}'s part is yellow)", 13, weight="bold"),
    ]
    for row, (line, lessons) in enumerate(ALGORITHM):
        y = 30 + row * 26
        style, colour = HIGHLIGHT if lesson in lessons else PLAIN
        parts.append(f'<rect x="{LEFT_X}" y="{y}" width="400" height="22" rx="4" {style}/>')
        parts.append(text(LEFT_X + 6, y + 15, line, 12, colour))
        chips = " ".join(sorted(lessons))
        parts.append(text(LEFT_X + 394, y + 15, chips, 10, colour, "end"))
    for label, lessons, column, row in NODES.values():
        x, y = box_xy(column, row)
        style, colour = HIGHLIGHT if lesson in lessons else PLAIN
        parts.append(f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" {style}/>')
        parts.append(text(x + BOX_W / 2, y + 15, label, 12, colour, "middle"))
        parts.append(text(x + BOX_W / 2, y + 29, "lesson " + ", ".join(sorted(lessons)), 10, colour, "middle"))
    parts += [arrow(*spec) for spec in ARROWS]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    sys.stdout.write(svg(sys.argv[1] if len(sys.argv) > 1 else "01"))
