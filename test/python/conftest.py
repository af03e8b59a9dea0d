import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(pathlib.Path(__file__).parent))

# Where `npx projen synth:examples` wrote the TypeScript examples in this run (never a committed copy).
TS_DIST = pathlib.Path(os.environ.get("TS_DIST", ROOT / "dist"))
