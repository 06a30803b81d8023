"""`python -m tests.golden`: rewrite tests/golden/analyses.json from the analysis as it is now."""

import sys

from tests.golden.snapshot import main

sys.exit(main())
