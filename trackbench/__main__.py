import sys

from trackbench.cli import main

sys.exit(main())
