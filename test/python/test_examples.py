"""The Python apps synthesise YAML byte-identical to the TypeScript examples' output."""
import pytest

from conftest import TS_DIST
from apps import seed_000_aragora, seed_004_optional_rollouts


@pytest.mark.parametrize("example, module", [
    ("seed-000-aragora", seed_000_aragora),
    ("seed-004-optional-rollouts", seed_004_optional_rollouts),
])
def test_python_app_matches_typescript_example(tmp_path, example, module):
    expected_dir = TS_DIST / example
    assert expected_dir.is_dir(), f"{expected_dir} missing: run `npx projen synth:examples` first"
    module.build_app(str(tmp_path)).synth()
    expected = sorted(p.name for p in expected_dir.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == expected
    for name in expected:
        ours, theirs = (tmp_path / name).read_bytes(), (expected_dir / name).read_bytes()
        assert ours == theirs, f"{example}/{name} differs from the TypeScript output"
