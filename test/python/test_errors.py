"""Bad input raises the same error text in Python as in TypeScript (computed by the TS library in this run)."""
import json
import subprocess

import pytest
from cdk8s import Chart, Duration
import cdk8s_plus_27 as kplus

from conftest import ROOT
from cdk8s_argo_rollouts import CanaryRollout, CanaryStep, CanarySteps, ProgressiveApp


def typescript_error(script: str) -> str:
    """Runs `script` against the repository's compiled library and returns the message it throws."""
    program = (
        "const { Chart, Duration } = require('cdk8s');"
        f"const lib = require({json.dumps(str(ROOT / 'lib' / 'src' / 'index.js'))});"
        f"try {{ {script}; console.log(''); }} catch (e) {{ console.log(JSON.stringify(e.message)); }}"
    )
    out = subprocess.run(["node", "-e", program], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert out, "the TypeScript library accepted the input"
    return json.loads(out)


def test_construction_error_text():
    expected = typescript_error("lib.CanarySteps.progressive({ weights: [5, 20], pauses: [Duration.minutes(2)] })")
    with pytest.raises(Exception) as raised:
        CanarySteps.progressive(weights=[5, 20], pauses=[Duration.minutes(2)])
    assert expected in str(raised.value)
    assert "one pause per weight" in expected


def test_synth_validation_error_text(tmp_path):
    expected = typescript_error(
        f"const app = new lib.ProgressiveApp({{ outdir: {json.dumps(str(tmp_path / 'ts'))} }});"
        "const chart = new Chart(app, 'shop', { namespace: 'shop' });"
        "new lib.CanaryRollout(chart, 'web', { containers: [{ image: 'web:1', portNumber: 8080 }], replicas: -1,"
        " steps: [lib.CanaryStep.weight(50)] });"
        "app.synth()"
    )
    app = ProgressiveApp(outdir=str(tmp_path / "py"))
    chart = Chart(app, "shop", namespace="shop")
    CanaryRollout(chart, "web", containers=[kplus.ContainerProps(image="web:1", port_number=8080)], replicas=-1,
                  steps=[CanaryStep.weight(50)])
    with pytest.raises(Exception) as raised:
        app.synth()
    assert expected in str(raised.value)
    assert "shop/web" in expected and "replicas" in expected
    assert not (tmp_path / "py").exists() or not any((tmp_path / "py").iterdir())
