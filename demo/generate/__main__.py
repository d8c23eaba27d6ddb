"""`python -m demo.generate`: rebuild demo/mirror/ (see demo.generate.mirror)."""
from demo.generate.mirror import main

raise SystemExit(main())
