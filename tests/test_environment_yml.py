"""environment.yml installs the same package set as pyproject.toml."""

import course
import tomllib
import yaml
from packaging.requirements import Requirement

# conda-forge names that differ from PyPI's
CONDA_NAMES = {"torch": "pytorch"}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((course.ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [
        r for extra in project["optional-dependencies"].values() for r in extra
    ]
    expected = {}
    for spec in wanted:
        requirement = Requirement(spec)
        expected[CONDA_NAMES.get(requirement.name, requirement.name)] = str(requirement.specifier)

    environment = yaml.safe_load((course.ROOT / "environment.yml").read_text())
    listed, pip_section = {}, None
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            pip_section = entry["pip"]
            continue
        requirement = Requirement(entry)
        if requirement.name not in {"python", "pip"}:
            listed[requirement.name] = str(requirement.specifier)

    assert listed == expected
    assert pip_section == ["--editable ."], "pip installs only the course package itself"
    python = next(e for e in environment["dependencies"] if isinstance(e, str) and e.startswith("python"))
    assert python == f"python{project['requires-python']}"
