from tagtui.cli.main import main

raise SystemExit(main())
