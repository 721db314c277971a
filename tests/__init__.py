"""The test suite. Imported before any conftest, so what is set here holds for every test process.

The tests keep what Python compiles, even under PYTHONDONTWRITEBYTECODE=1 (set on the machines
this suite runs on; ``__pycache__`` is in .gitignore). Otherwise every process compiles again what
another compiled already: each xdist worker rewrites the asserts of every test module (pytest reads
a cached rewrite but writes none while writing bytecode is off: ~5 s of CPU per worker to collect,
~1.6 s from the cache), and every child ``python`` that a test starts (51 for the layering test
alone) compiles the tagtui modules it imports. Set here, before tagtui is first imported.
"""

import sys

sys.dont_write_bytecode = False
