"""``python -m nrr_engine.board_pack --duckdb-path W --out DIR [--as-of YYYY-MM]``."""

import sys

from nrr_engine.board_pack import main

sys.exit(main())
